/**
 * The {@code ipam} command line (picocli), started by the {@code ipam} launcher at the repository root.
 * <p>
 * Rules: every command has {@code --help}; output goes to the command line's writer (tests run commands in
 * process); a refused request or failed check exits 1 with one line on standard error and never a stack trace;
 * usage errors exit 2; progress shows on standard error only.
 */
package io.ipam.tools;
