const esc = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** A page as a function of its CSP nonce (src/http/security-headers.ts sendPage). */
export type Page = (nonce: string) => string;

export function page(title: string, body: string): Page {
  return (nonce) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style nonce="${esc(nonce)}">
 body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;max-width:44rem;margin:3rem auto;padding:0 1.25rem;color:#213343;line-height:1.5}
 h1{font-size:1.6rem} ol li{margin:.6rem 0} .ok{color:#00a38d} .err{color:#d94c53} code,kbd{background:#f5f8fa;padding:.1rem .3rem;border-radius:3px}
 a.button{display:inline-block;background:#ff7a59;color:#fff;padding:.55rem 1rem;border-radius:4px;text-decoration:none}
</style></head><body><main>${body}</main></body></html>`;
}

export function installedPage(p: { appName: string; portalId?: number; hubspotAppUrl: string }): Page {
  const portalLink = p.portalId ? `${p.hubspotAppUrl}/contacts/${p.portalId}/objects/0-1/views/all/list` : p.hubspotAppUrl;
  const appsLink = p.portalId ? `${p.hubspotAppUrl}/ecosystem/${p.portalId}/marketplace/apps/connected` : p.hubspotAppUrl;
  return page(
    `${p.appName} is installed`,
    `<h1 class="ok">✓ ${esc(p.appName)} is installed</h1>
<p>Two steps and your team can chat with customers on WhatsApp from HubSpot:</p>
<ol>
 <li><strong>Add the WhatsApp card to the contact record.</strong> Open any contact, click <em>Customize record</em>,
   choose the tab where the card should live, click <kbd>+</kbd>, open the <em>Card library</em>, filter by <em>App</em>
   and add <em>WhatsApp</em>. Save — every rep now sees the conversation on the contact.
   <br><a href="${esc(portalLink)}">Open your contacts</a></li>
 <li><strong>Connect a WhatsApp number.</strong> In HubSpot go to <em>Marketplace → Connected apps → ${esc(p.appName)}</em> and open the
   <em>Settings</em> tab. Add your WhatsApp Business number (phone number id, WhatsApp Business Account id and access token),
   then choose your agents, routing, consent text and business hours.
   <br><a href="${esc(appsLink)}">Open connected apps</a></li>
</ol>
<p>Every WhatsApp message will appear on the contact's timeline. You can close this tab.</p>`,
  );
}

export function errorPage(title: string, message: string, retryUrl?: string): Page {
  return page(
    title,
    `<h1 class="err">${esc(title)}</h1><p>${esc(message)}</p>${retryUrl ? `<p><a class="button" href="${esc(retryUrl)}">Start the installation again</a></p>` : ''}`,
  );
}
