// The auditor's page: the newest signed tree head of the audit log
// (GET /api/v1/audit/head), and checks an auditor runs in this browser with
// the authority's published public key: that an entry is in the log
// (GET /api/v1/audit/proof?index=N) and that the log only grew since a tree
// head they kept (GET /api/v1/audit/consistency?from=N&to=M). The server is
// not trusted for the result: the hashes and the signature are recomputed
// here (audit-verify.js, from docs/audit.md).
import { get, hasRoute } from './api.js';
import { h, replace } from './dom.js';
import { button, details, heading, hint, input, para, summaryList, table, tag, textarea, warning } from './govuk.js';
import * as fmt from './format.js';
import { clearPageErrors, onSubmit } from './forms.js';
import { initComponents, showBanner, startPage } from './layout.js';
import { notAvailable } from './unavailable.js';
import { checkConsistencyProof, checkInclusionProof, ed25519Supported } from './audit-verify.js';

const HEAD = '/api/v1/audit/head';
const PROOF = '/api/v1/audit/proof';
const CONSISTENCY = '/api/v1/audit/consistency';
const KEY_PATTERN = /^[0-9a-f]{64}$/i;

export function auditPage() {
  return startPage({
    area: 'audit', title: 'Audit log', roles: ['auditor'],
    async render(main) {
      if (!(await hasRoute('GET', HEAD))) {
        notAvailable(main, { title: 'Audit log', what: 'Checking the audit log in the browser', routes: [`GET ${HEAD}`, `GET ${PROOF}`, `GET ${CONSISTENCY}`] });
        return;
      }
      const [{ data: head }, canSign, hasProof, hasConsistency] = await Promise.all([
        get(HEAD), ed25519Supported(), hasRoute('GET', PROOF), hasRoute('GET', CONSISTENCY)]);
      const results = h('div', { id: 'audit-results', tabindex: '-1' });
      replace(main,
        heading(1, 'Audit log'),
        para('Every change in penholder — an application submitted, advice revised, a licence suspended — is an entry in an append-only log. The entries are the leaves of a Merkle tree, and after every change the tree’s head is signed. Anyone with the authority’s public key can check that nothing was removed, changed or reordered.'),
        heading(2, 'The newest signed tree head', 'm'),
        summaryList([
          { key: 'Entries', value: fmt.number(head.tree_size) },
          { key: 'Root hash', value: h('span', { class: 'app-hash' }, head.root_hash) },
          { key: 'Signed', value: fmt.dateTime(head.timestamp) },
          { key: 'Key id', value: h('span', { class: 'app-hash' }, head.key_id ?? '') },
          { key: 'Signature', value: h('span', { class: 'app-hash' }, head.signature) },
        ]),
        details('Keep this tree head', [
          para('Copy it and keep it somewhere safe. On your next visit, paste it into “Check the log only grew” below: the check shows that today’s log is the one you saw, with entries added and none taken away.'),
          h('pre', { class: 'app-hash govuk-body-s', id: 'head-json' }, JSON.stringify(head, null, 1)),
        ]),
        canSign ? null : warning('This browser cannot check Ed25519 signatures; hashes and proofs are still checked.'),
        results,
        hasProof ? inclusionForm(head, results, canSign) : null,
        hasConsistency ? consistencyForm(head, results, canSign) : null);
    },
  });
}

function keyField(id) {
  return input({ id, name: 'public_key', label: 'The authority’s published public key (optional)', spellcheck: false,
    hint: '64 hexadecimal characters. Take it from the authority’s publication, not from this server: a key read from the database proves nothing.' });
}

function checkKey(v, prefix, problems, canSign) {
  if (v.public_key && !KEY_PATTERN.test(v.public_key)) problems.push({ path: `${prefix}key`, text: 'The public key must be 64 hexadecimal characters' });
  if (v.public_key && !canSign) problems.push({ path: `${prefix}key`, text: 'This browser cannot check Ed25519 signatures: leave the key out' });
}

function showResults(box, title, checks) {
  const ok = checks.every((c) => c.ok);
  replace(box,
    heading(2, title, 'm'),
    table({ head: ['Check', 'Result', 'Detail'],
      rows: checks.map((c) => [c.check, tag(c.ok ? 'Passed' : 'Failed', c.ok ? 'green' : 'red'), h('span', { class: 'app-hash govuk-body-s' }, c.detail)]) }));
  clearPageErrors();
  if (ok) showBanner({ success: true, heading: `${title}: every check passed` });
  else showBanner({ title: 'Important', heading: `${title}: a check failed. Keep this page and report it to the oversight committee.` });
}

function inclusionForm(head, results, canSign) {
  const form = h('form', { class: 'app-action-form', id: 'verify-entry' },
    heading(2, 'Verify an entry', 'm'),
    hint('Checks that the entry is in the log the newest tree head commits to, with its inclusion proof.'),
    input({ id: 'entry-index', name: 'index', label: 'Entry number', width: 5, inputmode: 'numeric',
      hint: `From 0 to ${head.tree_size - 1}. The first entry is 0.` }),
    keyField('entry-key'),
    button('Verify entry'));
  return onSubmit(form, {
    prefix: 'entry-',
    check(v) {
      const p = [];
      const n = Number(v.index);
      if (!/^\d+$/.test(v.index) || n >= head.tree_size) p.push({ path: 'index', text: `Enter an entry number from 0 to ${head.tree_size - 1}` });
      checkKey(v, '', p, canSign);
      return p;
    },
    async send(v) {
      const { data: proof } = await get(PROOF, { query: { index: v.index } });
      const checks = await checkInclusionProof(proof, { publicKey: v.public_key || undefined });
      if (proof.root_hash !== head.root_hash && proof.tree_size === head.tree_size) {
        checks.push({ check: 'The proof is against the tree head shown above', ok: false, detail: proof.root_hash });
      }
      showResults(results, `Entry ${v.index}`, checks);
      initComponents(results);
    },
  });
}

function consistencyForm(head, results, canSign) {
  const form = h('form', { class: 'app-action-form', id: 'verify-growth' },
    heading(2, 'Check the log only grew', 'm'),
    hint('Checks, with a consistency proof, that the log now is the log of an earlier tree head with entries added after it.'),
    textarea({ id: 'growth-kept', name: 'kept', label: 'A tree head you kept (optional)', rows: 4,
      hint: 'Paste the tree head you kept from an earlier visit. Or give its number of entries below.' }),
    input({ id: 'growth-from', name: 'from', label: 'Number of entries then', width: 5, inputmode: 'numeric' }),
    keyField('growth-key'),
    button('Check'));
  return onSubmit(form, {
    prefix: 'growth-',
    check(v) {
      const p = [];
      let kept = null;
      if (v.kept) {
        try {
          kept = JSON.parse(v.kept);
          if (!Number.isInteger(kept.tree_size) || typeof kept.root_hash !== 'string') throw new Error('not a head');
        } catch {
          p.push({ path: 'kept', text: 'The tree head must be the JSON shown on this page, with tree_size and root_hash' });
        }
      }
      const from = kept ? kept.tree_size : Number(v.from);
      if (!kept && (!/^\d+$/.test(v.from) || from > head.tree_size)) p.push({ path: 'from', text: `Enter a number of entries from 0 to ${head.tree_size}, or paste a tree head` });
      if (kept && kept.tree_size > head.tree_size) p.push({ path: 'kept', text: 'The tree head you kept has more entries than the log has now: the log was cut short' });
      checkKey(v, '', p, canSign);
      return p;
    },
    async send(v) {
      const kept = v.kept ? JSON.parse(v.kept) : null;
      const from = kept ? kept.tree_size : Number(v.from);
      const { data: proof } = await get(CONSISTENCY, { query: { from, to: head.tree_size } });
      const checks = await checkConsistencyProof(proof, { publicKey: v.public_key || undefined, keptHead: kept });
      showResults(results, `From ${from} to ${head.tree_size} entries`, checks);
      initComponents(results);
    },
  });
}
