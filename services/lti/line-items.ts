// The line item a resource link's scores go to (AGS 2.0, 3.2): the one its launch named, else the
// one the context's line items container holds for this link and assignment (resourceId = the
// assignment's name), else one made there. Query strings of the platform's URLs are kept (Moodle's
// carry ?type_id=).
import type { LtiContext, LtiPlatform, LtiResourceLink, LtiStore } from '../store/lti-store.js';
import { MEDIA, SCOPE } from './lti-claims.js';
import { failureOf, platformRequest, PlatformFailure } from './platform-request.js';
import type { ServiceTokens } from './service-token.js';

export interface LineItemContext {
  store: LtiStore;
  tokens: ServiceTokens;
  timeoutMs: number;
}

/** What a new line item is made of. */
export interface LineItemSpec {
  assignmentName: string;
  scoreMaximum: number;
}

/** `{lineitem}/scores` with the line item's query string kept. */
export function scoresUrl(lineItem: string): string {
  const url = new URL(lineItem);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/scores`;
  return url.toString();
}

async function findLineItem(ctx: LineItemContext, platform: LtiPlatform, lineItems: string, link: LtiResourceLink, spec: LineItemSpec): Promise<string | null> {
  const url = new URL(lineItems);
  url.searchParams.set('resource_link_id', link.resourceLinkId);
  url.searchParams.set('resource_id', spec.assignmentName);
  const token = await ctx.tokens.token(platform, [SCOPE.lineItem]);
  const answer = await platformRequest(url.toString(), { method: 'GET', headers: { authorization: `Bearer ${token}`, accept: MEDIA.lineItems } }, ctx.timeoutMs);
  if (answer.status !== 200) throw failureOf(`listing the line items at ${lineItems}`, answer);
  const items = Array.isArray(answer.json) ? answer.json as Array<Record<string, unknown>> : [];
  // A platform may ignore the filters: only an item of this assignment (and link, when it says) counts.
  const match = items.find((i) => i.resourceId === spec.assignmentName && (i.resourceLinkId === undefined || i.resourceLinkId === link.resourceLinkId));
  return typeof match?.id === 'string' ? match.id : null;
}

async function createLineItem(ctx: LineItemContext, platform: LtiPlatform, lineItems: string, link: LtiResourceLink, spec: LineItemSpec): Promise<string> {
  const token = await ctx.tokens.token(platform, [SCOPE.lineItem]);
  const body = { scoreMaximum: spec.scoreMaximum, label: link.title ?? spec.assignmentName, resourceId: spec.assignmentName, resourceLinkId: link.resourceLinkId };
  const answer = await platformRequest(lineItems, {
    method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': MEDIA.lineItem, accept: MEDIA.lineItem }, body: JSON.stringify(body),
  }, ctx.timeoutMs);
  if (answer.status !== 200 && answer.status !== 201) throw failureOf(`making a line item at ${lineItems}`, answer);
  const id = (answer.json as { id?: unknown } | null)?.id;
  if (typeof id !== 'string') throw new PlatformFailure(`${lineItems} made a line item but named no id`, answer.status, false);
  return id;
}

/** The link's line item URL, found or made (and kept) when its launch named none. */
export async function lineItemOf(ctx: LineItemContext, platform: LtiPlatform, link: LtiResourceLink, context: LtiContext | null, spec: LineItemSpec): Promise<string> {
  if (link.lineitemUrl) return link.lineitemUrl;
  if (!context?.lineitemsUrl) {
    throw new PlatformFailure('the platform named neither a line item nor a line items service for this placement: enable the Assignment and Grade Services for the tool and launch again', null, true);
  }
  const url = await findLineItem(ctx, platform, context.lineitemsUrl, link, spec) ?? await createLineItem(ctx, platform, context.lineitemsUrl, link, spec);
  await ctx.store.saveLtiResourceLink({ ...link, lineitemUrl: url, assignmentId: null, title: null });
  return url;
}
