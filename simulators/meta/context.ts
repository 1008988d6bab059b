// What the route modules share.
import type { Request } from 'express';
import type { Lifecycle } from './lifecycle.js';
import type { Scheduler } from './scheduler.js';
import type { SimStore } from './store.js';
import type { TemplateRecord } from './types.js';
import type { WebhookSender } from './webhooks.js';

export interface SimConfig {
  appSecret: string;
  apiVersion: string;
  statusDelayMs: number;
  templateReviewMs: number;
  throughputMps: number;
  pairRateLimit: { max: number; windowMs: number };
  templateLimit: number;
}

export interface SimContext {
  cfg: SimConfig;
  store: SimStore;
  scheduler: Scheduler;
  sender: WebhookSender;
  lifecycle: Lifecycle;
  now: () => number;
  /** Base URL for media URLs: publicUrl, else the listen() URL, else (when given) the request's own host. */
  baseUrl(req?: Request): string | undefined;
  /** Starts the review of a PENDING template (approval or rejection webhook after templateReviewMs). */
  review(t: TemplateRecord): void;
}

export const nowSec = (ctx: SimContext): number => Math.floor(ctx.now() / 1000);
