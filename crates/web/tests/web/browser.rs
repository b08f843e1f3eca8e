//! End to end in headless Chromium, with JavaScript switched off and a 360 px wide window:
//! a coordinator signs in, switches to Kyrgyz, registers a woman with a Kyrgyz name and her
//! consent, and finds her again by a Latin spelling of her name; a visitor registers for an event,
//! waits, gets the seat and is checked in; a coordinator accepts optimal mentor proposals; a
//! resident applies for a grant (a draft, then submitted) and a reviewer scores it.
use crate::common::{Backend, PW, TestApp};
use fantoccini::{ClientBuilder, Locator};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// chromedriver and the browser profile folder, both gone when the test ends; the guard lets
/// one browser run at a time (several at once on a small machine make clicks time out).
struct Driver(
    Child,
    Option<tempfile::TempDir>,
    #[allow(dead_code)] tokio::sync::MutexGuard<'static, ()>,
);

static ONE_BROWSER: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn find(var: &str, names: &[&str]) -> Option<String> {
    if let Ok(p) = std::env::var(var) {
        return Some(p);
    }
    names
        .iter()
        .find(|p| std::path::Path::new(p).exists())
        .map(|p| p.to_string())
}

async fn browser() -> Option<(fantoccini::Client, Driver)> {
    browser_with(false).await
}

/// A browser with page scripts allowed (`scripts`), for tools that run in the page (axe-core's
/// checks wait on timers, which a page without JavaScript never fires). Pages themselves are
/// tested without JavaScript.
async fn browser_with(scripts: bool) -> Option<(fantoccini::Client, Driver)> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let driver = find("WCL_CHROMEDRIVER", &["/usr/bin/chromedriver"]);
    let chromium = find(
        "WCL_CHROMIUM",
        &["/usr/bin/chromium", "/usr/bin/chromium-browser"],
    );
    let (Some(driver), Some(chromium)) = (driver, chromium) else {
        assert!(
            !store::testing::in_ci(),
            "Chromium and chromedriver are required under CI=true"
        );
        eprintln!("skipping: chromium or chromedriver not installed");
        return None;
    };
    let serial = ONE_BROWSER.lock().await;
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new(driver)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromedriver");
    let mut guard = Driver(child, None, serial);
    let profile = tempfile::tempdir().unwrap();
    let caps: serde_json::Map<String, serde_json::Value> = serde_json::from_value(serde_json::json!({
        "goog:chromeOptions": {
            "binary": chromium,
            "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                     format!("--user-data-dir={}", profile.path().display())],
            "prefs": {"profile.managed_default_content_settings.javascript": if scripts { 1 } else { 2 }},
            "mobileEmulation": {"deviceMetrics": {"width": 360, "height": 800, "pixelRatio": 1.0, "touch": false}}
        },
        "goog:loggingPrefs": {"browser": "ALL"}
    }))
    .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        match ClientBuilder::rustls()
            .expect("tls")
            .capabilities(caps.clone())
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
        {
            Ok(c) => {
                guard.1 = Some(profile);
                return Some((c, guard));
            }
            Err(_) if Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            Err(e) => panic!("chromedriver did not answer: {e}"),
        }
    }
}

/// The browser console's entries since the last call (chromedriver's log endpoint).
#[derive(Debug)]
struct ConsoleLog;

impl fantoccini::wd::WebDriverCompatibleCommand for ConsoleLog {
    fn endpoint(
        &self,
        base: &reqwest::Url,
        session: Option<&str>,
    ) -> Result<reqwest::Url, url::ParseError> {
        base.join(&format!("session/{}/se/log", session.unwrap_or_default()))
    }

    fn method_and_body(&self, _: &reqwest::Url) -> (axum::http::Method, Option<String>) {
        (
            axum::http::Method::POST,
            Some(r#"{"type":"browser"}"#.into()),
        )
    }
}

/// A Chrome DevTools command through chromedriver (the viewport's width, for one).
#[derive(Debug)]
struct Cdp(&'static str, serde_json::Value);

impl fantoccini::wd::WebDriverCompatibleCommand for Cdp {
    fn endpoint(
        &self,
        base: &reqwest::Url,
        session: Option<&str>,
    ) -> Result<reqwest::Url, url::ParseError> {
        base.join(&format!(
            "session/{}/goog/cdp/execute",
            session.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _: &reqwest::Url) -> (axum::http::Method, Option<String>) {
        let body = serde_json::json!({"cmd": self.0, "params": self.1});
        (axum::http::Method::POST, Some(body.to_string()))
    }
}

/// Lays the current page out at `width` CSS pixels (the window stays a phone's otherwise).
pub(crate) async fn set_width(b: &fantoccini::Client, width: u32) {
    let params = serde_json::json!({"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": width < 600});
    b.issue_cmd(Cdp("Emulation.setDeviceMetricsOverride", params))
        .await
        .expect("chromedriver takes DevTools commands");
}

/// Console errors of the pages loaded since the last call: a style or script the
/// Content-Security-Policy blocked, a resource that failed to load (a missing icon), …
pub(crate) async fn console_errors(b: &fantoccini::Client) -> Vec<String> {
    let entries = b
        .issue_cmd(ConsoleLog)
        .await
        .expect("chromedriver gives the console log");
    entries
        .as_array()
        .map(|a| {
            a.iter()
                .filter(|e| {
                    e["level"] == "SEVERE"
                        || e["message"]
                            .as_str()
                            .is_some_and(|m| m.contains("Content Security Policy"))
                })
                .map(|e| e["message"].as_str().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default()
}

/// axe-core's script (npm `axe-core`, installed by `.ci/run` under `target/axe`).
fn axe_source() -> Option<String> {
    let path = std::env::var("WCL_AXE")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|_| {
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../../target/axe/node_modules/axe-core/axe.min.js")
        });
    let source = std::fs::read_to_string(&path).ok();
    assert!(
        source.is_some() || !store::testing::in_ci(),
        "axe-core is required under CI=true ({}); .ci/run installs it",
        path.display()
    );
    source
}

/// WCAG 2.1 A and AA violations axe-core finds on the current page, as `rule: target` lines.
pub(crate) async fn axe_violations(b: &fantoccini::Client, axe: &str) -> Vec<String> {
    b.execute(axe, vec![]).await.expect("axe-core loads");
    let result = b
        .execute_async(
            r#"const done = arguments[arguments.length - 1];
            axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})
              .then(r => done(r.violations.map(v => v.id + ': ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', '))))
              .catch(e => done(['axe failed: ' + e]));"#,
            vec![],
        )
        .await
        .expect("axe-core runs");
    result
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

/// Signs in through the sign-in form of the browser.
async fn sign_in(
    b: &fantoccini::Client,
    app: &TestApp,
    login: &str,
) -> Result<(), fantoccini::error::CmdError> {
    b.goto(&app.url("/login")).await?;
    b.find(Locator::Id("login")).await?.send_keys(login).await?;
    b.find(Locator::Id("password")).await?.send_keys(PW).await?;
    b.form(Locator::Css("form.form")).await?.submit().await?;
    b.wait()
        .for_element(Locator::Css("form[action='/logout']"))
        .await?;
    Ok(())
}

/// Clicks the button and waits until the browser has left the page it was on (an element of the
/// old page goes stale), so that what is looked for next is found on the new page, not on the old
/// one a moment before it goes (a flash or a field both pages have).
async fn click_to_next_page(
    b: &fantoccini::Client,
    button: Locator<'_>,
) -> Result<(), fantoccini::error::CmdError> {
    let old = b.find(Locator::Css("html")).await?;
    b.find(button).await?.click().await?;
    for _ in 0..400 {
        if old.tag_name().await.is_err() {
            return Ok(());
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    Ok(())
}

/// The page fits a 360 px screen: nothing wider than the window.
async fn fits_phone(b: &fantoccini::Client) {
    let vw = b
        .execute("return window.innerWidth", vec![])
        .await
        .unwrap()
        .as_u64()
        .unwrap();
    // With JavaScript disabled for pages, WebDriver scripts still run.
    let wide = b
        .execute("return [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > 361).slice(0, 5).map(e => e.tagName + '.' + e.className + '#' + e.id + ':' + Math.round(e.getBoundingClientRect().right)).join(' ')", vec![])
        .await
        .unwrap();
    assert_eq!(vw, 360, "the phone-sized viewport: {wide}");
    let w = b
        .execute("return document.documentElement.scrollWidth", vec![])
        .await;
    let w = w.unwrap().as_u64().unwrap();
    assert!(
        w <= 360,
        "page is {w}px wide at 360px ({}): {wide}",
        b.current_url().await.unwrap()
    );
}

/// Every block of text on the page is wide enough to read: none narrower than about six
/// characters (3 em) while its text is longer (a value column squeezed to one letter per line
/// passed the width check while nobody could read it). Returns the offenders.
pub(crate) async fn narrow_text(b: &fantoccini::Client) -> String {
    b.execute(
        r#"const out = [];
        for (const e of document.querySelectorAll('body *')) {
          if (['SCRIPT','STYLE','OPTION','TEMPLATE','svg','SVG'].includes(e.tagName) || e.closest('svg')) continue;
          const cs = getComputedStyle(e);
          if (cs.display === 'inline' || cs.display === 'none' || cs.visibility === 'hidden') continue;
          const text = (e.innerText || '').trim();
          if (text.length <= 6) continue;
          const r = e.getBoundingClientRect();
          if (r.width === 0 && r.height === 0) continue;
          const fs = parseFloat(cs.fontSize) || 16;
          const inner = r.width - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight)
            - parseFloat(cs.borderLeftWidth) - parseFloat(cs.borderRightWidth);
          if (inner < 3 * fs) out.push(e.tagName + '.' + e.className + ' ' + Math.round(inner) + 'px: ' + text.slice(0, 30));
        }
        return out.slice(0, 5).join(' | ');"#,
        vec![],
    )
    .await
    .unwrap()
    .as_str()
    .unwrap_or_default()
    .to_string()
}

/// The page reads on a phone: nothing wider than the window, no text squeezed narrow.
pub(crate) async fn reads_on_phone(b: &fantoccini::Client) {
    fits_phone(b).await;
    let narrow = narrow_text(b).await;
    assert!(
        narrow.is_empty(),
        "text squeezed narrow on {}: {narrow}",
        b.current_url().await.unwrap()
    );
}

/// Keeps a picture of the page for a person to look at (`target/screenshots/NAME.png`; not
/// committed).
pub(crate) async fn screenshot(b: &fantoccini::Client, name: &str) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../target/screenshots")
        .join(format!("{name}.png"));
    if let Some(dir) = path.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    if let Ok(png) = b.screenshot().await {
        let _ = std::fs::write(path, png);
    }
}

/// The journey of an account: a coordinator gives a woman an account by invitation, she sets her
/// password from the link on her phone; her person page reads at 360 px in all three languages;
/// a staff member changes her password and her other session ends.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_resident_gets_her_account_by_invitation_on_a_phone() {
    let Some((b, _driver)) = browser().await else {
        return;
    };
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let person = app.batken_woman;
    let other_session = app.signed_in("coord.batken@test.kg").await;
    let result = async {
        sign_in(&b, &app, "coord.batken@test.kg").await?;
        for lang in ["ky", "ru", "en"] {
            b.goto(&app.url(&format!("/lang/{lang}?next=/people/{person}")))
                .await?;
            b.wait()
                .for_element(Locator::Css(&format!("html[lang={lang}]")))
                .await?;
            b.wait().for_element(Locator::Css("dl.facts")).await?;
            reads_on_phone(&b).await;
            screenshot(&b, &format!("person-{lang}")).await;
        }
        b.find(Locator::Css(&format!(
            "form[action='/people/{person}/account'] button"
        )))
        .await?
        .click()
        .await?;
        let link = b
            .wait()
            .for_element(Locator::Id("link"))
            .await?
            .prop("value")
            .await?
            .unwrap_or_default();
        assert!(link.contains("/invite/"), "{link}");
        reads_on_phone(&b).await;
        screenshot(&b, "invitation-issued").await;
        // She opens the link on her phone (no one signed in there).
        b.find(Locator::Css("form[action='/logout'] button"))
            .await?
            .click()
            .await?;
        b.wait()
            .for_element(Locator::Css("a[href='/login']"))
            .await?;
        b.goto(&link).await?;
        reads_on_phone(&b).await;
        screenshot(&b, "invitation-open").await;
        b.find(Locator::Id("password"))
            .await?
            .send_keys("жаңы-сырсөз-2026")
            .await?;
        b.find(Locator::Id("confirm"))
            .await?
            .send_keys("жаңы-сырсөз-2026")
            .await?;
        b.form(Locator::Css("form.form")).await?.submit().await?;
        b.wait()
            .for_element(Locator::Css("form[action='/me']"))
            .await?;
        let h1 = b.find(Locator::Css("h1")).await?.text().await?;
        assert!(h1.contains("Жаңыл"), "{h1}");
        reads_on_phone(&b).await;
        // The coordinator changes her password on the laptop; her phone's session ends.
        b.find(Locator::Css("form[action='/logout'] button"))
            .await?
            .click()
            .await?;
        b.wait()
            .for_element(Locator::Css("a[href='/login']"))
            .await?;
        sign_in(&b, &app, "coord.batken@test.kg").await?;
        b.find(Locator::Css("a.who")).await?.click().await?;
        b.wait().for_element(Locator::Id("current")).await?;
        reads_on_phone(&b).await;
        screenshot(&b, "account").await;
        b.find(Locator::Id("current")).await?.send_keys(PW).await?;
        b.find(Locator::Id("password"))
            .await?
            .send_keys("a-new-password-for-me")
            .await?;
        b.find(Locator::Id("confirm"))
            .await?
            .send_keys("a-new-password-for-me")
            .await?;
        b.form(Locator::Css("form[action='/account']"))
            .await?
            .submit()
            .await?;
        b.wait().for_element(Locator::Css("p.flash")).await?;
        Ok::<(), fantoccini::error::CmdError>(())
    }
    .await;
    let _ = b.close().await;
    result.unwrap();
    let r = other_session.get(app.url("/account")).send().await.unwrap();
    assert_eq!(r.status(), 303, "the other session has ended");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn coordinator_registers_and_finds_a_woman_in_kyrgyz() {
    let Some((b, _driver)) = browser().await else {
        return;
    };
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let result = async {
        sign_in(&b, &app, "coord.osh@test.kg").await?;
        // Switch to Kyrgyz from the switcher on the page.
        b.find(Locator::Css("a[hreflang=ky]"))
            .await?
            .click()
            .await?;
        b.wait().for_element(Locator::Css("html[lang=ky]")).await?;
        let lang = b.find(Locator::Css("html")).await?.attr("lang").await?;
        assert_eq!(lang.as_deref(), Some("ky"));
        b.goto(&app.url("/people/new")).await?;
        fits_phone(&b).await;
        b.find(Locator::Id("family_name"))
            .await?
            .send_keys("Өмүрбекова")
            .await?;
        b.find(Locator::Id("given_name"))
            .await?
            .send_keys("Гүлнара")
            .await?;
        b.find(Locator::Id("phone"))
            .await?
            .send_keys("0770 123 456")
            .await?;
        b.find(Locator::Id("birth_year"))
            .await?
            .send_keys("1991")
            .await?;
        b.find(Locator::Css("input[name=settlement][value=rural]"))
            .await?
            .click()
            .await?;
        b.find(Locator::Css("input[name=languages][value=ky]"))
            .await?
            .click()
            .await?;
        b.find(Locator::Css("input[name=skills][value=sewing]"))
            .await?
            .click()
            .await?;
        // First without consent: refused with a message, input kept.
        b.find(Locator::Css("form.form > button[type=submit]"))
            .await?
            .click()
            .await?;
        let body = b
            .wait()
            .for_element(Locator::Css("p.error[role=alert]"))
            .await?;
        let body = body.find(Locator::XPath("..")).await?.text().await?;
        assert!(
            body.contains(&web::i18n::Lang::Ky.t("err-consent-required")),
            "{body}"
        );
        let kept = b
            .find(Locator::Id("family_name"))
            .await?
            .prop("value")
            .await?;
        assert_eq!(kept.as_deref(), Some("Өмүрбекова"));
        b.find(Locator::Css("input[name=consent]"))
            .await?
            .click()
            .await?;
        b.find(Locator::Css("form.form > button[type=submit]"))
            .await?
            .click()
            .await?;
        b.wait().for_element(Locator::Css("dl.facts")).await?;
        let h1 = b.find(Locator::Css("h1")).await?.text().await?;
        assert_eq!(h1, "Өмүрбекова Гүлнара");
        fits_phone(&b).await;
        // Found by a Latin spelling, without Kyrgyz letters.
        b.goto(&app.url("/people")).await?;
        b.find(Locator::Id("q"))
            .await?
            .send_keys("gulnara omurbekova")
            .await?;
        b.find(Locator::Css("form.search button"))
            .await?
            .click()
            .await?;
        // The page before the search has a (empty) result list too: wait for the new address.
        let deadline = Instant::now() + Duration::from_secs(15);
        while !b.current_url().await?.as_str().contains("q=") && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let results = b
            .wait()
            .for_element(Locator::Id("results"))
            .await?
            .text()
            .await?;
        assert!(results.contains("Өмүрбекова Гүлнара"), "{results}");
        fits_phone(&b).await;
        Ok::<(), fantoccini::error::CmdError>(())
    }
    .await;
    let _ = b.close().await;
    result.unwrap();
}

async fn sign_up(
    b: &fantoccini::Client,
    app: &TestApp,
    ev: &str,
    name: &str,
    phone: &str,
) -> Result<String, fantoccini::error::CmdError> {
    b.goto(&app.url(&format!("/events/{ev}"))).await?;
    fits_phone(b).await;
    b.find(Locator::Id("name")).await?.send_keys(name).await?;
    b.find(Locator::Id("phone")).await?.send_keys(phone).await?;
    b.find(Locator::Css("input[name=gender][value=woman]"))
        .await?
        .click()
        .await?;
    b.find(Locator::Css("input[name=consent]"))
        .await?
        .click()
        .await?;
    b.find(Locator::Css("form.form > button[type=submit]"))
        .await?
        .click()
        .await?;
    b.wait()
        .for_element(Locator::Css("form[action$='/cancel']"))
        .await?;
    fits_phone(b).await;
    Ok(b.current_url().await?.to_string())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_visitor_registers_waits_and_is_checked_in() {
    let Some((b, _driver)) = browser().await else {
        return;
    };
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let ev = app.create_event(1, true, "Кийиз басуу: мастер-класс").await;
    let result = async {
        // The first visitor takes the only seat; her ticket shows a QR code and its code.
        let first = sign_up(&b, &app, &ev, "Айгерим Садыкова", "0700 111 001").await?;
        b.find(Locator::Css("figure.qr svg")).await?;
        // The second joins the waiting list.
        let second = sign_up(&b, &app, &ev, "Бермет Кадырова", "0700 111 002").await?;
        let status = b.find(Locator::Css("main p.warning")).await?.text().await?;
        assert!(status.contains('1'), "waiting list position: {status}");
        assert!(b.find(Locator::Css("figure.qr")).await.is_err());
        // The first cancels from her ticket page; the second now has the seat.
        b.goto(&first).await?;
        b.find(Locator::Css("form[action$='/cancel'] button"))
            .await?
            .click()
            .await?;
        // The cancelled ticket (the confirmed one had a flash-styled line too).
        b.wait()
            .for_element(Locator::Css("p.muted[role=status]"))
            .await?;
        b.goto(&second).await?;
        let code = b
            .wait()
            .for_element(Locator::Css("strong.code"))
            .await?
            .text()
            .await?;
        // At the door: a coordinator signs in on her phone and types the code.
        sign_in(&b, &app, "coord.osh@test.kg").await?;
        b.goto(&app.url(&format!("/events/{ev}/checkin"))).await?;
        fits_phone(&b).await;
        b.find(Locator::Id("code"))
            .await?
            .send_keys(&code.to_lowercase())
            .await?;
        b.find(Locator::Css("form.form > button[type=submit]"))
            .await?
            .click()
            .await?;
        let done = b
            .wait()
            .for_element(Locator::Id("result"))
            .await?
            .text()
            .await?;
        assert!(done.contains("Бермет Кадырова"), "{done}");
        fits_phone(&b).await;
        Ok::<(), fantoccini::error::CmdError>(())
    }
    .await;
    let _ = b.close().await;
    result.unwrap();
    assert_eq!(app.count("network_members").await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_coordinator_accepts_optimal_mentor_proposals() {
    let Some((b, _driver)) = browser().await else {
        return;
    };
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    app.mentoring_setup().await;
    let result = async {
        sign_in(&b, &app, "coord.osh@test.kg").await?;
        b.goto(&app.url("/labs/osh/mentoring")).await?;
        fits_phone(&b).await;
        b.find(Locator::Css("form[action$='/mentoring/proposals'] button"))
            .await?
            .click()
            .await?;
        let first = b
            .wait()
            .for_element(Locator::Css("fieldset.proposal"))
            .await?
            .text()
            .await?;
        assert!(first.contains("(+"), "each pair says why: {first}");
        fits_phone(&b).await;
        let n = b.find_all(Locator::Css("fieldset.proposal")).await?.len();
        assert_eq!(n, 2);
        b.find(Locator::Css("form.proposals > button[type=submit]"))
            .await?
            .click()
            .await?;
        b.wait().for_element(Locator::Css("p.flash")).await?;
        let pairs = b.find(Locator::Css("main")).await?.text().await?;
        assert!(
            pairs.contains("Кадырова Бермет — Гүлмира Асанова"),
            "{pairs}"
        );
        assert!(
            pairs.contains("Токтогулова Айжан — mentor.osh@test.kg"),
            "{pairs}"
        );
        Ok::<(), fantoccini::error::CmdError>(())
    }
    .await;
    let _ = b.close().await;
    result.unwrap();
    assert_eq!(app.count("mentoring_matches").await, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_case_worker_opens_a_case_on_a_phone() {
    let Some((b, _driver)) = browser().await else {
        return;
    };
    let key = web::sealed::generate_key().unwrap();
    let config = web::WebConfig {
        case_keys: Some(std::sync::Arc::new(
            web::sealed::Keyring::from_list(&key).unwrap(),
        )),
        ..web::WebConfig::default()
    };
    let app = TestApp::spawn_with(Backend::Sqlite, config).await.unwrap();
    let result = async {
        sign_in(&b, &app, "case.osh@test.kg").await?;
        b.goto(&app.url("/support/new")).await?;
        fits_phone(&b).await;
        // The forgiving search, then a choice (no drop-down of every name).
        b.find(Locator::Id("q"))
            .await?
            .send_keys("токтогулова")
            .await?;
        b.find(Locator::Css("form[role='search'] button[type=submit]"))
            .await?
            .click()
            .await?;
        b.wait().for_element(Locator::Css("#found a")).await?;
        fits_phone(&b).await;
        b.find(Locator::Css("#found a")).await?.click().await?;
        b.wait().for_element(Locator::Id("case-person")).await?;
        b.find(Locator::Css(
            "form[action='/support/new'] button[type=submit]",
        ))
        .await?
        .click()
        .await?;
        b.wait()
            .for_element(Locator::Css("form[action$='/notes']"))
            .await?;
        fits_phone(&b).await;
        b.find(Locator::Id("text"))
            .await?
            .send_keys("Үй-бүлөсү менен сүйлөштүк; кийинки жолугушуу шаршембиде.")
            .await?;
        b.find(Locator::Css("form[action$='/notes'] button[type=submit]"))
            .await?
            .click()
            .await?;
        // Wait for the new page: the note as text (on the old page it is only a field's value).
        let note = b
            .wait()
            .for_element(Locator::XPath(
                "//main//*[not(self::textarea)][contains(text(), 'кийинки жолугушуу шаршембиде')]",
            ))
            .await?
            .text()
            .await?;
        assert!(note.contains("кийинки жолугушуу шаршембиде"), "{note}");
        fits_phone(&b).await;
        b.goto(&app.url("/support")).await?;
        fits_phone(&b).await;
        Ok::<(), fantoccini::error::CmdError>(())
    }
    .await;
    let _ = b.close().await;
    result.unwrap();
    assert_eq!(app.count("case_notes").await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_resident_applies_and_a_reviewer_scores() {
    use domain::grants::{CallStatus, CriterionSpec};
    let Some((b, _driver)) = browser().await else {
        return;
    };
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let s = &app.db.store;
    let reviewer = web::services::create_account(
        s,
        None,
        "rev.osh@test.kg",
        "Бактыгүл Жумабаева",
        PW,
        domain::Role::Lab(domain::LabRole::Reviewer),
        Some(app.osh),
        None,
    )
    .await
    .unwrap();
    let today = domain::time::today();
    let mut c = s.conn().await.unwrap();
    let crit = |ky: &str, weight| CriterionSpec {
        name_ky: ky.into(),
        name_ru: ky.into(),
        name_en: ky.into(),
        guidance_ky: "Сатып алуучулар барбы?".into(),
        guidance_ru: String::new(),
        guidance_en: String::new(),
        weight,
        max_points: 10,
    };
    let call = store::grants::insert_call(
        &mut c,
        Some(app.osh),
        &store::grants::CallFields {
            title: "Күзгү гранттар".into(),
            description: String::new(),
            budget: som(100_000),
            min_award: som(10_000),
            max_award: som(50_000),
            opens_on: today,
            closes_on: today + chrono::Duration::days(10),
            cohort_id: None,
            criteria: vec![crit("Ишке ашуусу", 3), crit("Чыгармачылык", 1)],
        },
        None,
    )
    .await
    .unwrap();
    store::grants::set_call_status(&mut c, call, CallStatus::Draft, CallStatus::Open)
        .await
        .unwrap();
    store::grants::add_reviewer(&mut c, call, reviewer, None)
        .await
        .unwrap();
    let crits = store::grants::criteria(&mut c, call).await.unwrap();
    drop(c);
    let result = async {
        b.goto(&app.url("/lang/ky?next=/")).await?;
        sign_in(&b, &app, "+996555100200").await?;
        b.goto(&app.url("/grants")).await?;
        fits_phone(&b).await;
        b.goto(&app.url(&format!("/grant-calls/{call}"))).await?;
        fits_phone(&b).await;
        b.find(Locator::Css("form[action$='/apply'] button"))
            .await?
            .click()
            .await?;
        b.wait().for_element(Locator::Id("line1_item")).await?;
        fits_phone(&b).await;
        b.find(Locator::Id("title"))
            .await?
            .send_keys("Тигүү цехи")
            .await?;
        b.find(Locator::Id("idea"))
            .await?
            .send_keys("Мектеп формасын тигем.")
            .await?;
        b.find(Locator::Css("#category option[value='sewing']"))
            .await?
            .click()
            .await?;
        b.find(Locator::Id("line1_item"))
            .await?
            .send_keys("Тигүү машинасы")
            .await?;
        b.find(Locator::Id("line1_amount"))
            .await?
            .send_keys("30000")
            .await?;
        // A draft first: she will finish later.
        b.find(Locator::Css("button[value=save]"))
            .await?
            .click()
            .await?;
        b.wait()
            .for_element(Locator::XPath(
                "//p[@class='flash'][contains(text(), 'Долбоор сакталды')]",
            ))
            .await?;
        fits_phone(&b).await;
        b.find(Locator::Id("requested"))
            .await?
            .send_keys("30000")
            .await?;
        b.find(Locator::Css("button[value=submit]"))
            .await?
            .click()
            .await?;
        b.wait()
            .for_element(Locator::XPath(
                "//p[@class='flash'][contains(text(), 'Арыз берилди')]",
            ))
            .await?;
        fits_phone(&b).await;
        b.find(Locator::Css("form[action='/logout'] button"))
            .await?
            .click()
            .await?;
        b.wait()
            .for_element(Locator::Css("nav.main a[href='/login']"))
            .await?;

        // The reviewer scores it, with the guidance in her language.
        sign_in(&b, &app, "rev.osh@test.kg").await?;
        b.goto(&app.url(&format!("/grant-calls/{call}"))).await?;
        fits_phone(&b).await;
        b.find(Locator::XPath("//main//a[contains(text(), 'Тигүү цехи')]"))
            .await?
            .click()
            .await?;
        let guidance = b
            .wait()
            .for_element(Locator::Css("form[action$='/review'] .hint"))
            .await?
            .text()
            .await?;
        assert!(guidance.contains("Сатып алуучулар"), "{guidance}");
        fits_phone(&b).await;
        for (k, p) in crits.iter().zip(["8", "6"]) {
            b.find(Locator::Id(&format!("points-{}", k.id)))
                .await?
                .send_keys(p)
                .await?;
        }
        b.find(Locator::Id("comment"))
            .await?
            .send_keys("Буйрутма бар, баасы туура.")
            .await?;
        b.find(Locator::Css("form[action$='/review'] button[value=submit]"))
            .await?
            .click()
            .await?;
        b.wait()
            .for_element(Locator::XPath(
                "//p[@class='flash'][contains(text(), 'Баа жөнөтүлдү')]",
            ))
            .await?;
        fits_phone(&b).await;
        Ok::<(), fantoccini::error::CmdError>(())
    }
    .await;
    let _ = b.close().await;
    result.unwrap();
    let mut c = s.conn().await.unwrap();
    let apps = store::grants::applications(&mut c, call, false)
        .await
        .unwrap();
    assert_eq!(apps.len(), 1);
    assert_eq!(apps[0].status, domain::grants::ApplicationStatus::Submitted);
    let reviews = store::grants::reviews(&mut c, apps[0].id, true)
        .await
        .unwrap();
    assert_eq!(reviews.len(), 1);
    assert_eq!(reviews[0].points(&crits[0].id), Some(8));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_impact_dashboard_draws_its_charts_on_a_phone() {
    let Some((b, _driver)) = browser().await else {
        return;
    };
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    // A target and an outcome, so that every chart has something to draw.
    let token = app.token("coord.osh@test.kg").await;
    let r = app
        .client()
        .post(app.url(&format!("/api/v1/people/{}/outcomes", app.aizhan)))
        .bearer_auth(&token)
        .json(
            &serde_json::json!({"kind": "income", "occurred_on": "2026-06-01", "amount": "12000"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let result = async {
        sign_in(&b, &app, "coord.osh@test.kg").await?;
        b.goto(&app.url("/impact/dashboard?lab=osh")).await?;
        b.wait()
            .for_element(Locator::Css("#chart-funnel svg"))
            .await?;
        fits_phone(&b).await;
        for id in ["chart-series", "chart-funnel"] {
            let w = b
                .execute(
                    &format!(
                        "return document.querySelector('#{id} svg').getBoundingClientRect().width"
                    ),
                    vec![],
                )
                .await?
                .as_f64()
                .unwrap();
            assert!(w > 200.0 && w <= 360.0, "{id} is {w}px wide");
        }
        let funnel = b
            .find(Locator::Css("#chart-funnel svg"))
            .await?
            .text()
            .await?;
        assert!(
            funnel.contains('1'),
            "the funnel prints its counts: {funnel}"
        );
        // The target form, then the target's progress bar.
        b.find(Locator::Id("indicator"))
            .await?
            .select_by_value("women-earning")
            .await?;
        b.find(Locator::Id("target")).await?.send_keys("20").await?;
        b.form(Locator::Css("form[action='/impact/targets']"))
            .await?
            .submit()
            .await?;
        b.wait()
            .for_element(Locator::Css("#chart-targets svg"))
            .await?;
        fits_phone(&b).await;
        // The public page of the lab, as a donor sees it.
        b.goto(&app.url("/labs/osh/impact")).await?;
        b.wait().for_element(Locator::Css("dl.figures")).await?;
        fits_phone(&b).await;
        let text = b.find(Locator::Css("main")).await?.text().await?;
        assert!(
            ["жашырылган", "скрыто", "withheld"]
                .iter()
                .any(|w| text.contains(w)),
            "one woman earning is withheld: {text}"
        );
        Ok::<(), fantoccini::error::CmdError>(())
    }
    .await;
    let _ = b.close().await;
    result.unwrap();
    assert_eq!(app.count("indicator_targets").await, 1);
}

/// Som in tyiyn.
const fn som(n: i64) -> i64 {
    n * 100
}

/// Every page of the access matrix, at 360 px without JavaScript, in Kyrgyz, Russian and
/// English, as a caller who may open it: nothing wider than the screen, no block of text
/// squeezed narrower than about six characters. Screenshots of each page in Kyrgyz are kept in
/// `target/screenshots/pages/` for a person to look at.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_reads_on_a_phone_in_three_languages() {
    let Some((b, _driver)) = browser().await else {
        return;
    };
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let routes = crate::http::page_matrix(&app).await;
    // The caller who sees the most of each page: the lab's coordinator, else the resident, the
    // mentor, the admin, a visitor, another lab's coordinator.
    let order = [2usize, 5, 4, 1, 0, 3];
    let mut by_caller: Vec<Vec<String>> = vec![vec![]; 6];
    for (route, expected) in &routes {
        if route.contains("export.") || route.contains(".ics") {
            continue;
        }
        if let Some(&i) = order.iter().find(|&&i| expected[i] == 200) {
            by_caller[i].push(route.clone());
        }
    }
    let mut failures = vec![];
    let result = async {
        for i in order {
            if by_caller[i].is_empty() {
                continue;
            }
            b.delete_all_cookies().await?;
            if i > 0 {
                let login = crate::http::MATRIX_LOGINS[i - 1];
                sign_in(&b, &app, login).await?;
            }
            for lang in ["ky", "ru", "en"] {
                b.goto(&app.url(&format!("/lang/{lang}?next=/"))).await?;
                for route in &by_caller[i] {
                    b.goto(&app.url(route)).await?;
                    let wide = b
                        .execute("return document.documentElement.scrollWidth", vec![])
                        .await?
                        .as_u64()
                        .unwrap_or(0);
                    if wide > 360 {
                        failures.push(format!("{lang} {route}: {wide}px wide"));
                    }
                    let narrow = narrow_text(&b).await;
                    if !narrow.is_empty() {
                        failures.push(format!("{lang} {route}: {narrow}"));
                    }
                    for error in console_errors(&b).await {
                        failures.push(format!("{lang} {route}: console: {error}"));
                    }
                    if lang == "ky" {
                        let stable: Vec<&str> = route
                            .trim_start_matches('/')
                            .split('/')
                            .map(|seg| {
                                if seg.len() == 36 && seg.contains('-') {
                                    "id"
                                } else {
                                    seg
                                }
                            })
                            .collect();
                        let name: String = stable
                            .join("/")
                            .chars()
                            .map(|c| {
                                if c.is_ascii_alphanumeric() || c == '-' {
                                    c
                                } else {
                                    '_'
                                }
                            })
                            .take(60)
                            .collect();
                        let name = if name.is_empty() { "home".into() } else { name };
                        screenshot(&b, &format!("pages/{name}")).await;
                    }
                }
            }
        }
        Ok::<(), fantoccini::error::CmdError>(())
    }
    .await;
    // The console check sees what goes wrong: a page that does not exist logs its 404.
    b.goto(&app.url("/no-such-page")).await.unwrap();
    let missing = console_errors(&b).await;
    let _ = b.close().await;
    result.unwrap();
    assert!(failures.is_empty(), "{failures:#?}");
    assert!(
        missing.iter().any(|m| m.contains("404")),
        "the console log is read: {missing:?}"
    );
}

/// Every page of the access matrix, as a caller who may open it, checked by axe-core for WCAG
/// 2.1 A and AA at 1280 and 360 px (in Kyrgyz): no violations.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_passes_axe_core_at_both_widths() {
    let Some(axe) = axe_source() else {
        eprintln!("skipping: axe-core not installed (npm install --prefix target/axe axe-core@4)");
        return;
    };
    let Some((b, _driver)) = browser_with(true).await else {
        return;
    };
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let routes = crate::http::page_matrix(&app).await;
    let order = [2usize, 5, 4, 1, 0, 3];
    let mut failures = vec![];
    let result = async {
        for i in order {
            let mine: Vec<&String> = routes
                .iter()
                .filter(|(route, expected)| {
                    !route.contains("export.")
                        && !route.contains(".ics")
                        && order.iter().find(|&&j| expected[j] == 200) == Some(&i)
                })
                .map(|(route, _)| route)
                .collect();
            if mine.is_empty() {
                continue;
            }
            b.delete_all_cookies().await?;
            if i > 0 {
                sign_in(&b, &app, crate::http::MATRIX_LOGINS[i - 1]).await?;
            }
            b.goto(&app.url("/lang/ky?next=/")).await?;
            for route in mine {
                b.goto(&app.url(route)).await?;
                for width in [1280, 360] {
                    set_width(&b, width).await;
                    for v in axe_violations(&b, &axe).await {
                        failures.push(format!("{route} at {width}px: {v}"));
                    }
                }
            }
        }
        Ok::<(), fantoccini::error::CmdError>(())
    }
    .await;
    let _ = b.close().await;
    result.unwrap();
    assert!(failures.is_empty(), "{failures:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_coordinator_deletes_a_mistaken_session_on_a_phone() {
    let Some((b, _driver)) = browser().await else {
        return;
    };
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    // A session held yesterday, with Aizhan marked present.
    let session = {
        let mut tx = app.db.store.begin().await.unwrap();
        let p = store::training::insert_programme(
            &mut tx,
            &store::training::NewProgramme {
                lab: app.osh,
                cohort: None,
                title: "Тигүү",
                description: "",
                rule: domain::CompletionRule::default(),
            },
            None,
        )
        .await
        .unwrap();
        let m = store::training::add_module(&mut tx, p, domain::Topic::Sewing, "", false)
            .await
            .unwrap();
        let starts = chrono::Utc::now() - chrono::Duration::days(1);
        let id = store::training::insert_session(
            &mut tx,
            &store::training::NewSession {
                programme: p,
                module: m,
                lab: app.osh,
                starts_at: starts,
                ends_at: starts + chrono::Duration::hours(2),
                room: "Тигүү цехи",
                trainer: "Гүлмира Асанова",
            },
        )
        .await
        .unwrap();
        store::training::enrol(&mut tx, p, app.aizhan, None)
            .await
            .unwrap();
        let s = store::training::session(&mut tx, id)
            .await
            .unwrap()
            .unwrap();
        store::training::mark(&mut tx, &s, app.aizhan, domain::Attendance::Present, None)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        id
    };
    let result = async {
        sign_in(&b, &app, "coord.osh@test.kg").await?;
        b.goto(&app.url(&format!("/sessions/{session}/edit")))
            .await?;
        fits_phone(&b).await;
        // Delete without ticking the box: the page asks, nothing is deleted.
        let delete = format!("form[action='/sessions/{session}/delete'] button[type=submit]");
        b.find(Locator::Css(&delete)).await?.click().await?;
        b.wait().for_element(Locator::Id("confirm-error")).await?;
        fits_phone(&b).await;
        b.find(Locator::Css("input[name=confirm]"))
            .await?
            .click()
            .await?;
        b.find(Locator::Css(&delete)).await?.click().await?;
        b.wait().for_element(Locator::Css("p.flash")).await?;
        fits_phone(&b).await;
        Ok::<(), fantoccini::error::CmdError>(())
    }
    .await;
    let _ = b.close().await;
    result.unwrap();
    assert_eq!(app.count("training_sessions").await, 0);
    assert_eq!(app.count("attendance").await, 0);
}

/// A new lab from the wizard at 360 px: the admin opens a lab in Naryn from Osh's package in the
/// library; the invited coordinator sets her password from the link and finds her new lab with
/// its programmes ready.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_admin_opens_a_lab_with_the_wizard_and_its_coordinator_finds_it_ready() {
    let Some((b, _driver)) = browser().await else {
        return;
    };
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    crate::package::osh_content(&app).await;
    let osh = web::services::labs::lab_by_slug(&app.db.store, "osh")
        .await
        .unwrap();
    web::services::package::publish_lab(&app.db.store, &osh, Some("1"), None)
        .await
        .unwrap();
    let today = domain::time::today();
    let starts = (today + chrono::Duration::days(7)).to_string();
    let ends = (today + chrono::Duration::days(100)).to_string();
    let result = async {
        sign_in(&b, &app, "admin@test.kg").await?;
        for lang in ["ky", "ru", "en"] {
            b.goto(&app.url(&format!("/lang/{lang}?next=/network/labs/new")))
                .await?;
            b.wait()
                .for_element(Locator::Css(&format!("html[lang={lang}]")))
                .await?;
            b.wait().for_element(Locator::Id("region")).await?;
            reads_on_phone(&b).await;
            screenshot(&b, &format!("wizard-{lang}")).await;
        }
        let pick = |sel: String| {
            let b = b.clone();
            async move { b.find(Locator::Css(&sel)).await?.click().await }
        };
        pick("#region option[value='naryn']".into()).await?;
        pick("#district option[value='at-bashy']".into()).await?;
        for (id, v) in [
            ("locality", "Ат-Башы"),
            ("slug", "at-bashy"),
            ("name_ky", "Ат-Башы аялдар лабораториясы"),
            ("name_ru", "Ат-Башинская лаборатория"),
            ("name_en", "At-Bashy Lab"),
            ("new_org", "Ат-Башы айыл өкмөтү"),
            ("cohort_name", "Ат-Башы-1"),
            ("coordinator_name", "Айнура Осмонова"),
            ("coordinator_login", "ainura@at-bashy.kg"),
        ] {
            b.find(Locator::Id(id)).await?.send_keys(v).await?;
        }
        pick("#new_org_kind option[value='local-administration']".into()).await?;
        pick("#package option:nth-child(2)".into()).await?;
        // Dates typed as a date input takes them (no script needed to read them back).
        for (id, v) in [("cohort_starts_on", &starts), ("cohort_ends_on", &ends)] {
            b.execute(
                &format!("document.getElementById('{id}').value = arguments[0]"),
                vec![serde_json::Value::String(v.clone())],
            )
            .await?;
        }
        b.form(Locator::Css("form[action='/network/labs/new']"))
            .await?
            .submit()
            .await?;
        let link = b
            .wait()
            .for_element(Locator::Id("link"))
            .await?
            .prop("value")
            .await?
            .unwrap_or_default();
        assert!(link.contains("/invite/"), "{link}");
        reads_on_phone(&b).await;
        screenshot(&b, "wizard-done").await;
        // The lab is on the map of its page.
        b.goto(&app.url("/labs/at-bashy")).await?;
        b.wait().for_element(Locator::Css("svg.map")).await?;
        reads_on_phone(&b).await;
        screenshot(&b, "lab-map").await;
        b.find(Locator::Css("form[action='/logout'] button"))
            .await?
            .click()
            .await?;
        b.wait()
            .for_element(Locator::Css("a[href='/login']"))
            .await?;
        // She opens the link on her phone and sets her password.
        b.goto(&link).await?;
        reads_on_phone(&b).await;
        b.find(Locator::Id("password"))
            .await?
            .send_keys("ат-башы-сырсөз-2026")
            .await?;
        b.find(Locator::Id("confirm"))
            .await?
            .send_keys("ат-башы-сырсөз-2026")
            .await?;
        b.form(Locator::Css("form.form")).await?.submit().await?;
        b.wait()
            .for_element(Locator::Css("form[action='/logout']"))
            .await?;
        // Her lab, and its programmes from the package.
        b.goto(&app.url("/labs/at-bashy")).await?;
        b.find(Locator::Css("a[href='/labs/at-bashy/programmes']"))
            .await?
            .click()
            .await?;
        b.wait().for_element(Locator::Css("h1")).await?;
        let text = b.find(Locator::Css("main")).await?.text().await?;
        assert!(text.contains("Өз ишиңди баштa"), "{text}");
        reads_on_phone(&b).await;
        screenshot(&b, "new-lab-programmes").await;
        Ok::<(), fantoccini::error::CmdError>(())
    }
    .await;
    let _ = b.close().await;
    result.unwrap();
}

/// The space on a phone: an alumna books the sewing machine she is trained for and is refused
/// the embroidery machine she is not; a coordinator invoices her plan, records her payment and
/// sees the self-financing ratio move on the lab's money page.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_alumna_books_and_the_lab_pays_more_of_its_way() {
    use web::services::space as svc;
    let Some((b, _driver)) = browser().await else {
        return;
    };
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let sp = crate::space::setup(&app).await;
    let s = &app.db.store;
    // She graduated: an alumna now.
    sqlx::query("UPDATE residencies SET status = 'graduated' WHERE person_id = $1")
        .bind(app.aizhan.to_string())
        .execute(&mut *s.conn().await.unwrap())
        .await
        .unwrap();
    let plan = svc::save_plan(
        s,
        &sp.coord,
        app.osh,
        &svc::PlanInput {
            kind: "monthly".into(),
            name_ky: "Бүтүрүүчүнүн айлык абонементи".into(),
            hours: "10".into(),
            days: "30".into(),
            price: "1200".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    svc::assign_plan(
        s,
        &sp.coord,
        app.osh,
        &svc::AssignInput {
            person_id: app.aizhan.to_string(),
            plan_id: plan.to_string(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    svc::add_cost(
        s,
        &sp.coord,
        app.osh,
        &svc::CostInput {
            month: domain::time::today().format("%Y-%m").to_string(),
            category: "rent".into(),
            paid_by: "undp".into(),
            amount: "12000".into(),
            note: String::new(),
        },
    )
    .await
    .unwrap();
    let day = domain::time::today() + chrono::Duration::days(3);
    let result = async {
        sign_in(&b, &app, "+996555100200").await?;
        b.goto(&app.url(&format!("/resources/{}?date={day}&start=10:00", sp.sewing)))
            .await?;
        reads_on_phone(&b).await;
        click_to_next_page(&b, Locator::Css("form[action$='/book'] button")).await?;
        b.wait().for_element(Locator::Css("p.flash")).await?;
        // Her slot shows as hers in the week (the browser reads English).
        assert!(b.find(Locator::Css("li.slot-mine")).await.is_ok());
        screenshot(&b, "space-booked").await;
        b.goto(&app.url(&format!(
            "/resources/{}?date={day}&start=10:00",
            sp.embroidery
        )))
        .await?;
        click_to_next_page(&b, Locator::Css("form[action$='/book'] button")).await?;
        let why = b
            .wait()
            .for_element(Locator::Id("refusal"))
            .await?
            .text()
            .await?;
        assert!(
            why.contains(&web::i18n::Lang::En.t("space-refused-no-training")),
            "{why}"
        );
        reads_on_phone(&b).await;
        b.goto(&app.url("/me/bookings")).await?;
        reads_on_phone(&b).await;
        click_to_next_page(&b, Locator::Css("form[action='/logout'] button")).await?;
        // Signed out before the next sign-in: otherwise /login may still see her session.
        b.wait()
            .for_element(Locator::Css("a[href='/login']"))
            .await?;

        sign_in(&b, &app, "coord.osh@test.kg").await?;
        b.goto(&app.url("/labs/osh/finance")).await?;
        reads_on_phone(&b).await;
        let before = b.find(Locator::Id("ratio12")).await?.text().await?;
        assert!(before.contains("0 %"), "{before}");
        b.goto(&app.url("/labs/osh/space")).await?;
        reads_on_phone(&b).await;
        click_to_next_page(&b, Locator::Css("form[action^='/person-plans/'] button")).await?;
        b.wait().for_element(Locator::Id("amount")).await?;
        reads_on_phone(&b).await;
        b.find(Locator::Id("amount"))
            .await?
            .send_keys("1200")
            .await?;
        click_to_next_page(&b, Locator::Css("form[action$='/payments'] button")).await?;
        b.wait().for_element(Locator::Css("p.flash")).await?;
        let due = b.find(Locator::Id("due")).await?.text().await?;
        assert!(due.contains(": 0 "), "{due}");
        b.goto(&app.url("/labs/osh/finance")).await?;
        let after = b.find(Locator::Id("ratio12")).await?.text().await?;
        assert!(after.contains("10 %"), "{after}");
        assert!(b.find(Locator::Css("#chart-ratio svg")).await.is_ok());
        reads_on_phone(&b).await;
        screenshot(&b, "space-finance").await;
        Ok::<(), fantoccini::error::CmdError>(())
    }
    .await;
    let _ = b.close().await;
    result.unwrap();
    assert_eq!(app.count("space_payments").await, 1);
}

/// Crowdfunding on a phone: a visitor pledges with a reward; the coordinator matches the
/// payment from a bank statement and records a spend for an event with its receipt; the public
/// page shows the new balance and where the money went. Then a resident opts in to the
/// showcase and her product appears in the catalogue.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_visitor_pledges_and_sees_where_the_money_went() {
    let Some((b, _driver)) = browser().await else {
        return;
    };
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let (id, tier) = crate::crowdfunding::open_campaign(&app, "3").await;
    let event = app.create_event(20, true, "Кийиз мастер-классы").await;
    let dir = tempfile::tempdir().unwrap();
    let receipt = dir.path().join("receipt.jpg");
    std::fs::write(&receipt, crate::crowdfunding::photo_with_exif()).unwrap();
    let page = app.url(&format!("/campaigns/{id}"));
    let result = async {
        // The visitor pledges with a reward.
        b.goto(&app.url(&format!("/lang/en?next=/campaigns/{id}")))
            .await?;
        reads_on_phone(&b).await;
        b.find(Locator::Id("amount"))
            .await?
            .send_keys("2000")
            .await?;
        b.find(Locator::Css(&format!("#tier option[value='{tier}']")))
            .await?
            .click()
            .await?;
        b.find(Locator::Id("name"))
            .await?
            .send_keys("Нургүл")
            .await?;
        b.find(Locator::Css("input[name=show_name]"))
            .await?
            .click()
            .await?;
        b.find(Locator::Css("form[action$='/pledge'] button"))
            .await?
            .click()
            .await?;
        let reference = b
            .wait()
            .for_element(Locator::Id("reference"))
            .await?
            .text()
            .await?;
        reads_on_phone(&b).await;
        screenshot(&b, "crowd-instructions").await;

        // The coordinator matches the payment from the bank statement.
        sign_in(&b, &app, "coord.osh@test.kg").await?;
        let statement = dir.path().join("statement.csv");
        std::fs::write(
            &statement,
            format!(
                "Дата;Сумма;Назначение платежа\n{};2000,00;Пожертвование {reference}\n",
                domain::time::format_date(domain::time::today())
            ),
        )
        .unwrap();
        b.goto(&page).await?;
        b.find(Locator::Id("statement-file"))
            .await?
            .send_keys(&statement.display().to_string())
            .await?;
        b.find(Locator::Css(
            "form[action$='/statement'] button[value=import]",
        ))
        .await?
        .click()
        .await?;
        b.wait()
            .for_element(Locator::Id("statement-report"))
            .await?;

        // A spend for the event, with its receipt.
        b.execute(
            "document.getElementById('spent_on').value = arguments[0]",
            vec![serde_json::json!(domain::time::today().to_string())],
        )
        .await?;
        b.find(Locator::Id("spend_amount"))
            .await?
            .send_keys("800")
            .await?;
        b.find(Locator::Css("#spend_category option[value=events]"))
            .await?
            .click()
            .await?;
        b.find(Locator::Id("spend_description"))
            .await?
            .send_keys("Кийиз жана чай")
            .await?;
        b.find(Locator::Css(&format!(
            "#spend_event option[value='{event}']"
        )))
        .await?
        .click()
        .await?;
        b.find(Locator::Id("receipt"))
            .await?
            .send_keys(&receipt.display().to_string())
            .await?;
        b.find(Locator::Css("form[action$='/spend'] button"))
            .await?
            .click()
            .await?;
        b.wait().for_element(Locator::Css("p.flash")).await?;
        reads_on_phone(&b).await;

        // The public page: the new balance and where the money went.
        b.find(Locator::Css("form[action='/logout'] button"))
            .await?
            .click()
            .await?;
        b.wait()
            .for_element(Locator::Css("a[href='/login']"))
            .await?;
        b.goto(&page).await?;
        let balance = b.find(Locator::Id("balance")).await?.text().await?;
        assert_eq!(balance.replace('\u{202f}', " "), "1 200");
        b.find(Locator::Id("where")).await?;
        let html = b.source().await?;
        assert!(html.contains("Кийиз мастер-классы"));
        assert!(html.contains("Нургүл"));
        reads_on_phone(&b).await;
        screenshot(&b, "crowd-campaign").await;

        // A maker opts in and her product appears in the showcase.
        sign_in(&b, &app, "+996555100200").await?;
        b.goto(&app.url("/me/showcase")).await?;
        b.find(Locator::Id("display_name"))
            .await?
            .send_keys("Айжан")
            .await?;
        b.find(Locator::Css("form[action='/me/showcase'] button"))
            .await?
            .click()
            .await?;
        b.wait().for_element(Locator::Id("product_title")).await?;
        b.find(Locator::Id("product_title"))
            .await?
            .send_keys("Кийиз оюнчук")
            .await?;
        b.find(Locator::Id("price_from"))
            .await?
            .send_keys("900")
            .await?;
        b.find(Locator::Css("input[name=availability][value=to-order]"))
            .await?
            .click()
            .await?;
        b.find(Locator::Css("form[action='/me/showcase/products'] button"))
            .await?
            .click()
            .await?;
        b.wait().for_element(Locator::Css("p.flash")).await?;
        b.goto(&app.url("/showcase?q=kiyiz")).await?;
        let html = b.source().await?;
        assert!(
            html.contains("Кийиз оюнчук"),
            "the product is in the showcase"
        );
        reads_on_phone(&b).await;
        screenshot(&b, "crowd-showcase").await;
        Ok::<_, fantoccini::error::CmdError>(())
    }
    .await;
    result.unwrap();
}
