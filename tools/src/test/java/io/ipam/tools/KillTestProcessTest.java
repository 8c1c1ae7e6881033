package io.ipam.tools;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The short CI version of {@code ipam kill-test}: a durable server under load from 8 clients, SIGKILLed twice
 * and restarted; every acknowledged allocation must be in the store afterwards and nothing else held for the
 * clients (allocations resent with their request keys). Runs after packaging.
 */
@Timeout(value = 300, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class KillTestProcessTest
{
    private static final Pattern SUMMARY = Pattern.compile(
        "([\\d,]+) acknowledged allocations \\(([\\d,]+) answered after a resend with their request key\\), " +
        "([\\d,]+) held at the end and audited, (\\d+) lost, (\\d+) leaked, (\\d+) duplicates");

    @Test
    void shouldLoseNoAcknowledgedAllocationAcrossSigkills() throws Exception
    {
        Path root = Path.of("").toAbsolutePath();
        while (root != null && !Files.exists(root.resolve("ipam")))
        {
            root = root.getParent();
        }
        final Process p = new ProcessBuilder(root.resolve("ipam").toString(), "kill-test", "--clients", "8",
            "--kills", "2", "--interval", "1.5").redirectErrorStream(true).start();
        final String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(300, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        final Matcher m = SUMMARY.matcher(out);
        assertTrue(m.find(), out);
        assertTrue(Long.parseLong(m.group(1).replace(",", "")) > 0, "there was load: " + out);
        assertTrue(Long.parseLong(m.group(3).replace(",", "")) > 0, "something was audited: " + out);
        assertEquals("0", m.group(4), out);
        assertEquals("0", m.group(5), "an allocation applied but never acknowledged: " + out);
        assertEquals("0", m.group(6), out);
    }
}
