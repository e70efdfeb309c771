/** The errors the outbound engine throws for its callers (routes, CLI) to word. */

/** A request the sender cannot make as given; the message is one sentence for the user. */
export class SendInputError extends Error {}

/** Too many deliveries (or body bytes) are pending. */
export class OutboxFullError extends Error {}
