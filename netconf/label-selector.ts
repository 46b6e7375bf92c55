import * as z from 'zod/mini';

/** A Kubernetes LabelSelector (metav1.LabelSelector). */
export const LabelSelector = z.strictObject({
  matchLabels: z.optional(z.record(z.string(), z.string())),
  matchExpressions: z.optional(
    z.array(
      z
        .strictObject({
          key: z.string().check(z.minLength(1)),
          operator: z.enum(['In', 'NotIn', 'Exists', 'DoesNotExist']),
          values: z.optional(z.array(z.string())),
        })
        // As the API server validates it: In/NotIn need values, Exists/DoesNotExist take none.
        .check(
          z.refine((term) => (term.operator === 'In' || term.operator === 'NotIn') === (term.values ?? []).length > 0, {
            message: 'must have values for In/NotIn and none for Exists/DoesNotExist',
            path: ['values'],
          }),
        ),
    ),
  ),
});
export type LabelSelector = z.infer<typeof LabelSelector>;

/** Kubernetes semantics: every term must hold; an empty selector matches everything. */
export function selectorMatches(selector: LabelSelector, labels: Readonly<Record<string, string>>): boolean {
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    if (labels[key] !== value) return false;
  }
  for (const { key, operator, values = [] } of selector.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, key);
    const label = labels[key];
    const holds =
      operator === 'In' ? has && values.includes(label ?? '')
      : operator === 'NotIn' ? !has || !values.includes(label ?? '')
      : operator === 'Exists' ? has
      : !has;
    if (!holds) return false;
  }
  return true;
}
