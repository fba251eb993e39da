import { ADMIN_SESSION_MS, adminSessionKey, csrfTokenFor, issueAdminSession, readAdminSession, readCookie } from '../../../relay/src/http/admin/admin-session';
import { html } from '../../../relay/src/http/admin/html';

describe('dashboard session cookie (pure: key and time passed in)', () => {
  const key = adminSessionKey('admin_token_for_unit_tests_0123');
  const now = 1_800_000_000_000;
  const cookie = issueAdminSession(key, now, 'session_id_0123456789');

  it.each<[string, string | undefined, number, boolean]>([
    ['a fresh cookie', cookie, now, true],
    ['one millisecond before it expires', cookie, now + ADMIN_SESSION_MS - 1, true],
    ['at its expiry', cookie, now + ADMIN_SESSION_MS, false],
    ['no cookie', undefined, now, false],
    ['an expiry pushed later by hand', cookie.replace(/^\d+/, String(now + 10 * ADMIN_SESSION_MS)), now, false],
    ['another session id under the same MAC', cookie.replace('session_id_0123456789', 'session_id_9876543210'), now, false],
    ['signed with another token', issueAdminSession(adminSessionKey('another_admin_token_0123456'), now, 'session_id_0123456789'), now, false],
    ['garbage', 'x.y.z', now, false],
  ])('%s', (_name, value, at, valid) => {
    expect(readAdminSession(key, value, at) !== null).toBe(valid);
  });

  it('a CSRF token is per session and per key', () => {
    expect(csrfTokenFor(key, 'a'.repeat(16))).toBe(csrfTokenFor(key, 'a'.repeat(16)));
    expect(csrfTokenFor(key, 'a'.repeat(16))).not.toBe(csrfTokenFor(key, 'b'.repeat(16)));
    expect(csrfTokenFor(key, 'a'.repeat(16))).not.toBe(csrfTokenFor(adminSessionKey('another_admin_token_0123456'), 'a'.repeat(16)));
  });

  it('reads one cookie out of a Cookie header', () => {
    expect(readCookie('a=1; payrelay_admin=v.w.x; b=2', 'payrelay_admin')).toBe('v.w.x');
    expect(readCookie('xpayrelay_admin=1', 'payrelay_admin')).toBeUndefined();
    expect(readCookie(undefined, 'payrelay_admin')).toBeUndefined();
  });
});

describe('html`` escapes every value', () => {
  it('escapes text and attributes, keeps nested fragments, drops null/false', () => {
    const note = `<script>alert('x')</script> & "quoted"`;
    expect(html`<p title="${note}">${note}</p>`.markup).toBe(
      '<p title="&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;quoted&quot;">&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;quoted&quot;</p>',
    );
    expect(html`<ul>${['<a>', 'b'].map((item) => html`<li>${item}</li>`)}</ul>${null}${false}${undefined}`.markup).toBe('<ul><li>&lt;a&gt;</li><li>b</li></ul>');
  });
});
