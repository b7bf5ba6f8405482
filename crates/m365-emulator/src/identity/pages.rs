//! The HTML pages a person sees while signing in: sign-in, consent, admin approval, device code.

use axum::response::Html;
use html_escape::{encode_double_quoted_attribute as attr, encode_text as text};

const STYLE: &str = "body{font-family:'Segoe UI',system-ui,sans-serif;background:#f2f2f2;margin:0}\
main{max-width:440px;margin:8vh auto;background:#fff;padding:44px;box-shadow:0 2px 6px rgba(0,0,0,.2)}\
h1{font-size:24px;font-weight:600;margin:0 0 16px}p{font-size:15px}label{display:block;margin:12px 0 4px;font-size:14px}\
input[type=email],input[type=password],input[type=text]{width:100%;box-sizing:border-box;padding:8px;font-size:15px;border:0;border-bottom:1px solid #666}\
button{margin-top:24px;padding:8px 24px;font-size:15px;border:0;background:#0067b8;color:#fff;cursor:pointer}\
button.secondary{background:#ccc;color:#000;margin-right:8px}.error{color:#e81123}.brand{color:#737373;font-size:13px;margin-bottom:24px}\
ul{padding-left:20px}code{font-size:13px}";

fn page(kind: &str, title: &str, content: &str) -> Html<String> {
    Html(format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"emulator-page\" content=\"{kind}\">\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{title}</title><style>{STYLE}</style></head>\
<body><main><div class=\"brand\">Microsoft identity platform &middot; local emulator</div>\n{content}\n</main></body></html>\n",
        title = text(title),
    ))
}

fn hidden(name: &str, value: &str) -> String {
    format!(
        "<input type=\"hidden\" name=\"{}\" value=\"{}\">",
        attr(name),
        attr(value)
    )
}

/// E-mail and password form.
pub fn sign_in(
    action: &str,
    flow: &str,
    app_name: &str,
    login_hint: &str,
    error: Option<&str>,
) -> Html<String> {
    let error = error
        .map(|message| format!("<p class=\"error\" id=\"error\">{}</p>", text(message)))
        .unwrap_or_default();
    page(
        "sign-in",
        "Sign in to your account",
        &format!(
            "<h1>Sign in</h1><p>to continue to <b>{app}</b></p>{error}\
<form method=\"post\" action=\"{action}\">{flow}\
<label for=\"login\">Email</label><input type=\"email\" id=\"login\" name=\"login\" value=\"{hint}\" autocomplete=\"username\" required autofocus>\
<label for=\"passwd\">Password</label><input type=\"password\" id=\"passwd\" name=\"passwd\" autocomplete=\"current-password\" required>\
<button type=\"submit\">Sign in</button></form>",
            app = text(app_name),
            action = attr(action),
            flow = hidden("flow", flow),
            hint = attr(login_hint),
        ),
    )
}

fn scope_label(scope: &str) -> String {
    let described = match scope.to_ascii_lowercase().as_str() {
        "openid" => "Sign you in",
        "profile" => "View your basic profile",
        "email" => "View your email address",
        "offline_access" => "Maintain access to data you have given it access to",
        "user.read" => "Sign you in and read your profile",
        "calendars.read" => "Read your calendars",
        "calendars.readwrite" => "Have full access to your calendars",
        "calendars.read.shared" => "Read calendars you can access",
        "calendars.readwrite.shared" => "Read and write calendars you can access",
        _ => "",
    };
    if described.is_empty() {
        format!("<li><code>{}</code></li>", text(scope))
    } else {
        format!("<li>{described} <code>{}</code></li>", text(scope))
    }
}

/// "Permissions requested" with accept and cancel.
pub fn consent(
    action: &str,
    flow: &str,
    app_name: &str,
    user: &str,
    scopes: &[String],
    offer_org_consent: bool,
) -> Html<String> {
    let list: String = scopes.iter().map(|scope| scope_label(scope)).collect();
    let org = if offer_org_consent {
        "<p><label><input type=\"checkbox\" name=\"consent_on_behalf\" value=\"true\"> Consent on behalf of your organization</label></p>"
    } else {
        ""
    };
    page(
        "consent",
        "Permissions requested",
        &format!(
            "<h1>Permissions requested</h1><p><b>{user}</b></p><p><b>{app}</b> would like to:</p><ul id=\"scopes\">{list}</ul>\
<form method=\"post\" action=\"{action}\">{flow}{org}\
<button class=\"secondary\" type=\"submit\" name=\"decision\" value=\"decline\">Cancel</button>\
<button type=\"submit\" name=\"decision\" value=\"accept\">Accept</button></form>",
            user = text(user),
            app = text(app_name),
            action = attr(action),
            flow = hidden("flow", flow),
        ),
    )
}

/// "Need admin approval" (AADSTS90094), with a way back to the app.
pub fn admin_approval(action: &str, flow: &str, app_name: &str, user: &str) -> Html<String> {
    page(
        "admin-approval",
        "Need admin approval",
        &format!(
            "<h1>Need admin approval</h1><p><b>{user}</b></p><p><b>{app}</b> needs permission to access resources in your \
organization that only an admin can grant. Please ask an admin to grant permission to this app before you can use it.</p>\
<p class=\"error\" data-aadsts=\"90094\">AADSTS90094: The grant requires admin permission.</p>\
<form method=\"post\" action=\"{action}\">{flow}<button type=\"submit\" name=\"decision\" value=\"decline\">Return to the application without granting consent</button></form>",
            user = text(user),
            app = text(app_name),
            action = attr(action),
            flow = hidden("flow", flow),
        ),
    )
}

/// An error shown in the browser instead of a redirect (bad client, bad redirect URI).
pub fn error(code: u32, message: &str) -> Html<String> {
    page(
        "error",
        "Sorry, but we're having trouble signing you in",
        &format!(
            "<h1>Sorry, but we&rsquo;re having trouble signing you in.</h1><p class=\"error\" data-aadsts=\"{code}\" id=\"error\">AADSTS{code}: {}</p>",
            text(message)
        ),
    )
}

/// The device-login page: enter the code shown on the device.
pub fn device_code(action: &str, error: Option<&str>) -> Html<String> {
    let error = error
        .map(|message| format!("<p class=\"error\" id=\"error\">{}</p>", text(message)))
        .unwrap_or_default();
    page(
        "device-code",
        "Enter code",
        &format!(
            "<h1>Enter code</h1><p>Enter the code displayed on your app or device.</p>{error}\
<form method=\"post\" action=\"{action}\"><label for=\"otc\">Code</label>\
<input type=\"text\" id=\"otc\" name=\"otc\" autocomplete=\"off\" required autofocus><button type=\"submit\">Next</button></form>",
            action = attr(action),
        ),
    )
}

/// Shown when a device sign-in or an admin consent finished without a redirect.
pub fn done(title: &str, message: &str) -> Html<String> {
    page(
        "done",
        title,
        &format!(
            "<h1>{}</h1><p id=\"message\">{}</p>",
            text(title),
            text(message)
        ),
    )
}
