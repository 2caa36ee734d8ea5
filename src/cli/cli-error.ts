/** A mistake in how the CLI was called; printed to stderr without a stack trace. */
export class CliUsageError extends Error {}
