package io.ipam.core.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.ipam.core.Ipam;
import io.ipam.core.IpamException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A JVM started without Agrona's {@code --add-exports} gets an {@code IpamException} naming the flag when it
 * creates an allocator, not an {@code IllegalAccessError} from inside Agrona.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class AgronaFlagTest
{
    /** Run in the child JVM. */
    public static final class Child
    {
        private Child()
        {
        }

        /**
         * @param args none.
         */
        public static void main(final String[] args)
        {
            try (Ipam ipam = Ipam.inMemory())
            {
                System.out.println("created " + ipam.subnets().size());
            }
            catch (final IpamException ex)
            {
                System.out.println("IpamException " + ex.code() + " " + ex.getMessage());
            }
            catch (final Throwable t)
            {
                System.out.println("other " + t);
            }
        }
    }

    @Test
    void shouldNameTheFlagWhenItIsMissing() throws IOException, InterruptedException
    {
        final Process p = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-cp", System.getProperty("java.class.path"), Child.class.getName()))
            .redirectErrorStream(true).start();
        final String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertTrue(out.contains("IpamException INTERNAL") &&
            out.contains("--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED"), out);
    }
}
