import * as z from 'zod/mini';

/**
 * admission.k8s.io/v1 AdmissionReview: what the API server sends a validating webhook and what
 * the webhook answers. The request side is loose: the API server sends more than we read
 * (resource, userInfo, dryRun, options…), and none of it is ours to refuse.
 */
export const GroupVersionKind = z.looseObject({ group: z.string(), version: z.string(), kind: z.string() });
export type GroupVersionKind = z.infer<typeof GroupVersionKind>;

export const AdmissionOperation = z.enum(['CREATE', 'UPDATE', 'DELETE', 'CONNECT']);
export type AdmissionOperation = z.infer<typeof AdmissionOperation>;

export const AdmissionRequest = z.looseObject({
  uid: z.string().check(z.minLength(1, 'must not be empty')),
  operation: AdmissionOperation,
  kind: GroupVersionKind,
  /** Absent on a CREATE whose object has only metadata.generateName. */
  name: z._default(z.string(), ''),
  /** The new object (CREATE, UPDATE); null on DELETE. */
  object: z.optional(z.unknown()),
  /** The stored object (UPDATE, DELETE). */
  oldObject: z.optional(z.unknown()),
});
export type AdmissionRequest = z.infer<typeof AdmissionRequest>;

/** The envelope the API server POSTs. */
export const AdmissionReview = z.looseObject({
  apiVersion: z.literal('admission.k8s.io/v1'),
  kind: z.literal('AdmissionReview'),
  request: AdmissionRequest,
});
export type AdmissionReview = z.infer<typeof AdmissionReview>;

export const AdmissionResponse = z.strictObject({
  /** The request's uid: the API server matches the answer to its question by it. */
  uid: z.string(),
  allowed: z.boolean(),
  /** Only on a refusal: the message the API server shows the user (kubectl prints it). */
  status: z.optional(z.strictObject({ code: z.int(), message: z.string() })),
});
export type AdmissionResponse = z.infer<typeof AdmissionResponse>;

/** The envelope the webhook answers with. */
export const AdmissionReviewReply = z.strictObject({
  apiVersion: z.literal('admission.k8s.io/v1'),
  kind: z.literal('AdmissionReview'),
  response: AdmissionResponse,
});
export type AdmissionReviewReply = z.infer<typeof AdmissionReviewReply>;
