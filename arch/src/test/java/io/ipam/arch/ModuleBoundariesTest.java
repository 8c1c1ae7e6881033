package io.ipam.arch;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import io.ipam.core.Ipam;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/**
 * The rules between modules, held by the build (issue 21): no module outside core names
 * {@code io.ipam.core.internal} (what they need is public: {@code io.ipam.core.assembly.Allocators}, the API);
 * the cluster's replicated service applies commands through the writer and its adapter, never through a facade;
 * the server serves any {@link Ipam} it is given. Core's own package rules are core's {@code ArchitectureTest}.
 */
class ModuleBoundariesTest
{
    private static final JavaClasses ALL = new ClassFileImporter()
        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("io.ipam");

    @Test
    void shouldKeepCoreInternalsInsideCore()
    {
        noClasses().that().resideOutsideOfPackage("io.ipam.core..").should().dependOnClassesThat()
            .resideInAPackage("io.ipam.core.internal..")
            .because("issue 21: other modules use core's public types (io.ipam.core.assembly.Allocators, the API)")
            .check(ALL);
    }

    @Test
    void shouldApplyTheClustersCommandsThroughTheWriter()
    {
        noClasses().that().resideInAPackage("io.ipam.cluster..").and().haveSimpleNameStartingWith("IpamClustered")
            .should().dependOnClassesThat().areAssignableTo(Ipam.class)
            .because("issue 21: every member applies the log through its WriterExecutor and CommandAdapter")
            .check(ALL);
    }

    @Test
    void shouldServeAnyIpam()
    {
        noClasses().that().resideInAPackage("io.ipam.server..").should().dependOnClassesThat()
            .resideInAnyPackage("io.ipam.core.internal..", "io.ipam.core.writer..", "io.ipam.core.engine..")
            .because("issue 21: the server serves any Ipam through the API, whatever is behind it")
            .check(ALL);
    }
}
