package io.ipam.tools;

import picocli.CommandLine.Option;

/**
 * The {@code --json} option shared by the commands with machine-readable output.
 */
public final class JsonOption
{
    @Option(names = "--json", description = "machine-readable output")
    boolean json;
}
