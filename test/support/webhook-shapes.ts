/** What the webhook tests expect of the API's and the CLI's answers, spelled out here rather than taken from the code under test. */

/** Every event type, in the order the documentation lists them: what a subscription without `events` takes. */
export const ALL_EVENT_TYPES = ['file.uploaded', 'files.attached', 'history.created', 'history.deleted', 'file.deleted'];

/** A signing secret as Standard Webhooks writes it: `whsec_` and base64. */
export const WEBHOOK_SECRET = /^whsec_[A-Za-z0-9+/]+={0,2}$/;

/** A `Webhook` as answered; `Secret` only where it is created or rotated. */
export interface WebhookBody {
  ID: number;
  Url: string;
  Events: string[];
  Enabled: boolean;
  DisabledReason: string | null;
  Created: string;
  Secret?: string;
}
