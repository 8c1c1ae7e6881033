package io.ipam.tools;

import java.lang.reflect.Field;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

import static io.ipam.tools.IpamToolTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The options that reach a server or a cluster are declared once, in {@link ServerOption} and {@link ClusterOption},
 * and every command that takes them takes them from there; credentials without {@code --server} are refused.
 */
class CliOptionsTest
{
    private static final Map<String, Class<?>> DECLARED_IN = Map.of(
        "--server", ServerOption.class,
        "--token", ServerOption.class,
        "--token-file", ServerOption.class,
        "--tls-ca", ServerOption.class,
        "--cluster", ClusterOption.class);

    @TempDir
    Path tmp;

    private static void walk(final CommandLine cl, final String path, final Set<String> withServer)
    {
        for (final OptionSpec o : cl.getCommandSpec().options())
        {
            for (final String name : o.names())
            {
                final Class<?> home = DECLARED_IN.get(name);
                if (home == null)
                {
                    continue;
                }
                final Object element = o.userObject();
                assertTrue(element instanceof Field, path + " " + name + " is not a field: " + element);
                assertEquals(home, ((Field)element).getDeclaringClass(), path + " declares " + name + " itself");
                if (name.equals("--server"))
                {
                    withServer.add(path);
                }
            }
        }
        for (final Map.Entry<String, CommandLine> sub : cl.getSubcommands().entrySet())
        {
            walk(sub.getValue(), path + " " + sub.getKey(), withServer);
        }
    }

    @Test
    void shouldTakeServerAndClusterOptionsFromTheirMixins()
    {
        final Set<String> withServer = new TreeSet<>();
        walk(IpamTool.commandLine(), "ipam", withServer);
        assertEquals(new TreeSet<>(Set.of("ipam alloc", "ipam bench", "ipam map", "ipam owner", "ipam reconcile",
            "ipam release", "ipam snapshot create", "ipam subnet create", "ipam subnet delete", "ipam subnet list",
            "ipam subnet show", "ipam subnet update")), withServer);
    }

    @Test
    void shouldRefuseCredentialsWithoutAServer()
    {
        final String store = tmp.resolve("store").toString();
        for (final String[] args : new String[][] {
            {"subnet", "list", "--store", store, "--token", "t0123456789abcdef"},
            {"map", "--snapshot", tmp.resolve("s.snap").toString(), "--tls-ca", "ca.pem", "net1", "--out",
                tmp.resolve("m.svg").toString()},
            {"bench", "--token-file", tmp.resolve("token").toString()}})
        {
            final IpamToolTest.Run r = run(args);
            assertEquals(1, r.code(), String.join(" ", args) + ": " + r.err());
            assertTrue(r.err().contains("--token, --token-file and --tls-ca go with --server"), r.err());
        }
    }

    @Test
    void shouldTakeExactlyOneSourceForAMap()
    {
        final IpamToolTest.Run both = run("map", "--snapshot", tmp.resolve("s.snap").toString(), "--store",
            tmp.resolve("store").toString(), "net1", "--out", tmp.resolve("m.svg").toString());
        assertEquals(1, both.code(), both.err());
        assertTrue(both.err().contains("give exactly one of --snapshot FILE"), both.err());
        final IpamToolTest.Run none = run("map", "net1", "--out", tmp.resolve("m.svg").toString());
        assertEquals(1, none.code(), none.err());
        assertTrue(none.err().contains("give exactly one of"), none.err());
    }
}
