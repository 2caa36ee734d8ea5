/** A webhook URL or target address that deliveries may not use; the message is safe to show the tenant admin. */
export class WebhookTargetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WebhookTargetError';
  }
}
