import test from '../support/test.ts';
import { LabelSelector, selectorMatches } from '../../netconf/label-selector.ts';
import { parseOrThrow } from '../../netconf/parse.ts';
import { throwsCni } from './cni-assert.ts';

const labels = { 'kubernetes.io/hostname': 'node-1', zone: 'a' };

test('U-NC-72 an empty selector matches every label set, including none', (t) => {
  t.true(selectorMatches({}, {}));
  t.true(selectorMatches({}, labels));
  t.true(selectorMatches({ matchLabels: {}, matchExpressions: [] }, labels));
});

test('U-NC-73 matchLabels needs every pair to be present with the same value', (t) => {
  t.true(selectorMatches({ matchLabels: { zone: 'a' } }, labels));
  t.true(selectorMatches({ matchLabels: { zone: 'a', 'kubernetes.io/hostname': 'node-1' } }, labels));
  t.false(selectorMatches({ matchLabels: { zone: 'b' } }, labels));
  t.false(selectorMatches({ matchLabels: { zone: 'a', rack: '1' } }, labels));
  t.false(selectorMatches({ matchLabels: { toString: 'x' } }, {}));
});

test('U-NC-74 In holds when the label is present with one of the values', (t) => {
  t.true(selectorMatches({ matchExpressions: [{ key: 'zone', operator: 'In', values: ['b', 'a'] }] }, labels));
  t.false(selectorMatches({ matchExpressions: [{ key: 'zone', operator: 'In', values: ['b'] }] }, labels));
  t.false(selectorMatches({ matchExpressions: [{ key: 'rack', operator: 'In', values: [''] }] }, labels));
  t.true(selectorMatches({ matchExpressions: [{ key: 'rack', operator: 'In', values: [''] }] }, { rack: '' }));
});

test('U-NC-75 NotIn holds when the label is absent or has none of the values', (t) => {
  t.true(selectorMatches({ matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['b'] }] }, labels));
  t.true(selectorMatches({ matchExpressions: [{ key: 'rack', operator: 'NotIn', values: ['1'] }] }, labels));
  t.false(selectorMatches({ matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['a', 'b'] }] }, labels));
});

test('U-NC-76 Exists and DoesNotExist look at the key only', (t) => {
  t.true(selectorMatches({ matchExpressions: [{ key: 'zone', operator: 'Exists' }] }, labels));
  t.false(selectorMatches({ matchExpressions: [{ key: 'rack', operator: 'Exists' }] }, labels));
  t.true(selectorMatches({ matchExpressions: [{ key: 'rack', operator: 'Exists' }] }, { rack: '' }));
  t.true(selectorMatches({ matchExpressions: [{ key: 'rack', operator: 'DoesNotExist' }] }, labels));
  t.false(selectorMatches({ matchExpressions: [{ key: 'zone', operator: 'DoesNotExist' }] }, labels));
});

test('U-NC-77 every term must hold: matchLabels and all expressions are ANDed', (t) => {
  const selector: LabelSelector = {
    matchLabels: { zone: 'a' },
    matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['node-1', 'node-2'] }, { key: 'rack', operator: 'DoesNotExist' }],
  };
  t.true(selectorMatches(selector, labels));
  t.false(selectorMatches(selector, { ...labels, rack: '1' }));
  t.false(selectorMatches(selector, { ...labels, zone: 'b' }));
  t.false(selectorMatches(selector, { ...labels, 'kubernetes.io/hostname': 'node-3' }));
});

test('U-NC-78 the LabelSelector schema rejects an unknown operator (code 7) and an unknown key (code 2)', (t) => {
  throwsCni(t, () => parseOrThrow(LabelSelector, { matchExpressions: [{ key: 'a', operator: 'Gt', values: ['1'] }] }), 7,
    'matchExpressions[0].operator: invalid option: expected one of "In"|"NotIn"|"Exists"|"DoesNotExist", got "Gt"');
  throwsCni(t, () => parseOrThrow(LabelSelector, { matchLabel: { a: 'b' } }), 2, '(root): unsupported key "matchLabel"');
});

test('U-NC-88 In/NotIn without values and Exists with values are code 7 naming the term', (t) => {
  throwsCni(t, () => parseOrThrow(LabelSelector, { matchExpressions: [{ key: 'zone', operator: 'In' }] }, { root: 'nodeAffinity' }), 7,
    'nodeAffinity.matchExpressions[0].values: missing, must have values for In/NotIn and none for Exists/DoesNotExist');
  throwsCni(t, () => parseOrThrow(LabelSelector, { matchExpressions: [{ key: 'zone', operator: 'Exists', values: ['a'] }] }, { root: 'nodeAffinity' }), 7,
    'nodeAffinity.matchExpressions[0].values: ["a"] must have values for In/NotIn and none for Exists/DoesNotExist');
});
