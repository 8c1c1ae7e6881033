package io.ipam.core;

import java.net.InetAddress;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import io.ipam.core.protocol.Reply;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noFields;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noMethods;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;

/**
 * Core's package rules, as the {@code package-info} files state them and {@code docs/design.md} draws them, held
 * by the build: each package depends only on the packages below it (the API's static factories reach the
 * implementation through {@code assembly}, the one exception), {@code spi} is a leaf, the engine starts no thread,
 * reads no clock and does no I/O, and nothing resolves a name. Cross-module rules (no module outside core names
 * {@code io.ipam.core.internal}) are in the {@code arch} module.
 */
class ArchitectureTest
{
    private static final JavaClasses CORE = new ClassFileImporter()
        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("io.ipam.core");

    /** The engine's front and its rooms (docs/design.md). */
    private static final String ROOMS = "io\\.ipam\\.core\\.engine\\.(AllocatorEngine|Allocations|AddressPicker|" +
        "Lifecycle|SubnetAdmin|SubnetRegistry|PortAllocation|PrefixPools|LifecycleImages)";

    private static void check(final ArchRule rule)
    {
        rule.check(CORE);
    }

    @Test
    void shouldLayerThePackages()
    {
        check(layeredArchitecture().consideringOnlyDependenciesInLayers()
            .layer("api").definedBy("io.ipam.core")
            .layer("spi").definedBy("io.ipam.core.spi..")
            .layer("values").definedBy("io.ipam.core.addr..", "io.ipam.core.random..", "io.ipam.core.file..",
                "io.ipam.core.access..")
            .layer("engine").definedBy("io.ipam.core.engine..")
            .layer("snapshot").definedBy("io.ipam.core.snapshot..")
            .layer("protocol").definedBy("io.ipam.core.protocol..")
            .layer("writer").definedBy("io.ipam.core.writer..")
            .layer("internal").definedBy("io.ipam.core.internal..")
            .layer("assembly").definedBy("io.ipam.core.assembly..")
            .whereLayer("api").mayOnlyAccessLayers("spi", "values", "assembly")
            .whereLayer("spi").mayOnlyAccessLayers("api")
            .whereLayer("values").mayOnlyAccessLayers("api")
            .whereLayer("engine").mayOnlyAccessLayers("api", "values")
            .whereLayer("snapshot").mayOnlyAccessLayers("api", "values", "engine")
            .whereLayer("protocol").mayOnlyAccessLayers("api", "spi", "values")
            .whereLayer("writer").mayOnlyAccessLayers("api", "spi", "values", "engine", "snapshot", "protocol")
            .whereLayer("internal").mayOnlyAccessLayers("api", "spi", "values", "engine", "snapshot", "protocol",
                "writer")
            .whereLayer("assembly").mayOnlyAccessLayers("api", "spi", "values", "engine", "protocol", "writer",
                "internal")
            .whereLayer("internal").mayOnlyBeAccessedByLayers("assembly")
            .because("docs/design.md: each package depends only on the packages below it; the API's static " +
                "factories reach the implementation through assembly"));
    }

    @Test
    void shouldKeepTheApiFreeOfTheImplementation()
    {
        check(noClasses().that().resideInAPackage("io.ipam.core").should().dependOnClassesThat()
            .resideInAnyPackage("io.ipam.core.internal..", "io.ipam.core.protocol..", "io.ipam.core.writer..")
            .because("issue 21: the embedding contract names nothing of how commands travel or are applied"));
    }

    @Test
    void shouldKeepSpiALeaf()
    {
        check(classes().that().resideInAPackage("io.ipam.core.spi..").should().onlyDependOnClassesThat()
            .resideInAnyPackage("io.ipam.core", "io.ipam.core.spi..", "java..", "org.agrona")
            .because("spi/package-info: the hooks name only API types and their own"));
    }

    @Test
    void shouldKeepTheEngineFreeOfThreadsClocksAndIo()
    {
        check(noClasses().that().resideInAPackage("io.ipam.core.engine..").should()
            .dependOnClassesThat().resideInAnyPackage("java.io..", "java.nio.file..", "java.nio.channels..",
                "java.net..", "java.util.concurrent..", "org.agrona.concurrent..")
            .orShould().dependOnClassesThat().areAssignableTo(Thread.class)
            .orShould().callMethod(System.class, "currentTimeMillis")
            .orShould().callMethod(System.class, "nanoTime")
            .because("engine/package-info: no threads, no I/O, no clock read inside; the same commands give the " +
                "same state"));
    }

    @Test
    void shouldResolveNoName()
    {
        check(noClasses().should().callMethod(InetAddress.class, "getByName", String.class)
            .orShould().callMethod(InetAddress.class, "getAllByName", String.class)
            .orShould().callMethod(InetAddress.class, "getLocalHost")
            .because("API.md and addr/package-info: no method ever does a DNS lookup"));
    }

    @Test
    void shouldAnswerThroughTheCall()
    {
        check(noFields().that().areDeclaredInClassesThat().haveNameMatching(ROOMS)
            .should().haveNameMatching("(last|picked|pending)[A-Z].*")
            .because("issue 21: an engine call returns what it did through the call (a result code and a " +
                "caller-supplied EngineResult), never through a field read afterwards"));
        check(noMethods().that().areDeclaredInClassesThat().haveNameMatching(ROOMS).should()
            .haveNameMatching("last[A-Z].*|options|clearOptions")
            .because("issue 21: no hidden results, no modal options"));
        check(noFields().that().areDeclaredIn(Reply.class).should().haveRawType(Object.class)
            .because("issue 21: nothing but bytes and primitives crosses in a reply"));
    }
}
