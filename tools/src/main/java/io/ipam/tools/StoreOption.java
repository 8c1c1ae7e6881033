package io.ipam.tools;

import java.nio.file.Path;

import picocli.CommandLine.Option;

/**
 * The {@code --store DIR} option shared by the commands that work on a store.
 */
public final class StoreOption
{
    @Option(names = "--store", required = true, paramLabel = "DIR", description = "store directory")
    Path store;
}
