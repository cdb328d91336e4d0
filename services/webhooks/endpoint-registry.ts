// A course's webhook endpoints as the API and the CLI manage them: every URL checked (form and
// addresses) before the store keeps it, an endpoint reached only through its own course (the API
// passes the caller's; the CLI, run by an operator, may pass none), redelivery only while enabled.
import { UserError } from '../common/errors.js';
import type { Store } from '../store/store.js';
import type { CreatedWebhookEndpoint, NewWebhookEndpoint, WebhookDelivery, WebhookEndpoint, WebhookEndpointChange } from '../store/webhook-store.js';
import type { AddressGuard } from './address-guard.js';
import { checkEndpointUrl } from './endpoint-url.js';

export class EndpointRegistry {
  constructor(private readonly store: Store, private readonly guard: AddressGuard, private readonly rotationGraceMs: number) {}

  async add(courseId: string, input: NewWebhookEndpoint): Promise<CreatedWebhookEndpoint> {
    const { url } = await checkEndpointUrl(input.url, this.guard);
    return this.store.createWebhookEndpoint(courseId, { ...input, url });
  }

  list(courseId: string): Promise<WebhookEndpoint[]> {
    return this.store.listWebhookEndpoints(courseId);
  }

  /** The endpoint, when it is `courseId`'s (any course's when none is given); another course's is as unknown as a missing one. */
  async get(id: string, courseId?: string): Promise<WebhookEndpoint> {
    const endpoint = await this.store.getWebhookEndpoint(id);
    if (!endpoint || (courseId !== undefined && endpoint.courseId !== courseId)) {
      throw new UserError('E_NOT_FOUND', `no webhook endpoint ${id}${courseId === undefined ? '' : ` in course ${courseId}`}`);
    }
    return endpoint;
  }

  async change(id: string, change: WebhookEndpointChange, courseId?: string): Promise<WebhookEndpoint> {
    await this.get(id, courseId);
    const url = change.url === undefined ? undefined : (await checkEndpointUrl(change.url, this.guard)).url;
    return this.store.changeWebhookEndpoint(id, { ...change, ...(url === undefined ? {} : { url }) });
  }

  async rotate(id: string, courseId?: string): Promise<CreatedWebhookEndpoint> {
    await this.get(id, courseId);
    return this.store.rotateWebhookSecret(id, this.rotationGraceMs);
  }

  async remove(id: string, courseId?: string): Promise<void> {
    await this.get(id, courseId);
    await this.store.removeWebhookEndpoint(id);
  }

  async deliveries(id: string, limit: number | undefined, courseId?: string): Promise<WebhookDelivery[]> {
    await this.get(id, courseId);
    return this.store.listWebhookDeliveries(id, limit);
  }

  /** Sends the message to the endpoint again, with the same webhook-id; a disabled endpoint must be enabled first. */
  async redeliver(id: string, messageId: string, courseId?: string): Promise<WebhookDelivery> {
    const endpoint = await this.get(id, courseId);
    if (endpoint.disabledAt !== null) {
      throw new UserError('E_WEBHOOK_DISABLED', `webhook endpoint ${id} is disabled (${endpoint.disabledReason ?? 'no reason kept'}); enable it first (PATCH it with {"enabled": true}, or gradebox webhooks enable --id ${id})`);
    }
    return this.store.redeliverWebhook(id, messageId);
  }
}
