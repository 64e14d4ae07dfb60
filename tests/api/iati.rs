//! The IATI export, checked by `xmllint` against the IATI 2.03 activity schema (a copy of
//! `shared/iati-2.03`, in `tests/iati-2.03`), and read back with XPath.

use std::path::{Path, PathBuf};
use std::process::Command;

use jalin::config::{IatiSettings, Settings};
use serde_json::{Value, json};

use crate::helpers::TestApp;

const SCHEMA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/iati-2.03/iati-activities-schema.xsd");

/// An IATI file written to disk, to be validated and queried.
struct IatiFile {
    _directory: tempfile::TempDir,
    path: PathBuf,
}

impl IatiFile {
    async fn of(app: &TestApp, agreement: i64) -> Self {
        let response = app.get(&format!("/api/v1/agreements/{agreement}/iati")).await;
        assert_eq!(response.status, 200, "{}", String::from_utf8_lossy(&response.body));
        assert_eq!(response.header("content-type"), Some("application/xml; charset=utf-8"));
        let directory = tempfile::tempdir().unwrap();
        let path = directory.path().join("activities.xml");
        std::fs::write(&path, &response.body).unwrap();
        Self { _directory: directory, path }
    }

    /// Fails the test unless xmllint (Debian's libxml2-utils) finds the file valid.
    fn assert_valid(&self) {
        let output = xmllint(&["--noout", "--schema", SCHEMA], &self.path);
        assert!(
            output.status.success(),
            "not valid IATI 2.03:\n{}\n{}",
            String::from_utf8_lossy(&output.stderr),
            std::fs::read_to_string(&self.path).unwrap()
        );
    }

    /// The value of an XPath expression (`count(...)`, `string(...)`).
    fn xpath(&self, expression: &str) -> String {
        let output = xmllint(&["--xpath", expression], &self.path);
        // xmllint exits with 10 when a node set is empty: that is an answer too.
        String::from_utf8(output.stdout).unwrap().trim().to_owned()
    }

    fn count(&self, expression: &str) -> usize {
        self.xpath(&format!("count({expression})"))
            .parse()
            .unwrap_or_else(|_| panic!("count of {expression}"))
    }
}

fn xmllint(args: &[&str], file: &Path) -> std::process::Output {
    Command::new("xmllint")
        .args(args)
        .arg(file)
        .output()
        .expect("xmllint runs (Debian package libxml2-utils; .ci/run installs it)")
}

#[actix_web::test]
async fn the_demo_agreement_is_a_valid_iati_file_with_one_activity_per_plan() {
    let app = TestApp::new().await;
    let response = app
        .post("/api/v1/import", &serde_json::from_str::<Value>(jalin::testing::DEMO_DOCUMENT).unwrap())
        .await;
    assert_eq!(response.status, 200);
    let agreement = app.get("/api/v1/agreements?key=jabar-souss-massa-2017").await.json()["items"][0]["id"]
        .as_i64()
        .unwrap();
    let file = IatiFile::of(&app, agreement).await;
    file.assert_valid();
    let plans = app.total("/api/v1/action-plans").await;
    assert_eq!(file.count("//iati-activity") as i64, plans);
    assert_eq!(file.xpath("string(//iati-activities/@version)"), "2.03");
    assert_eq!(
        file.xpath("string(//iati-activity[1]/iati-identifier)"),
        "XM-JALIN-jabar-souss-massa-2017-ap-01"
    );
    assert_eq!(file.xpath("string(//iati-activity[1]/reporting-org/@ref)"), "XM-JALIN");
    // The local title, in the article's Indonesian, is marked as such.
    let local = file.xpath("string(//iati-activity[1]/title/narrative[@xml:lang='id'])");
    assert!(local.starts_with("Business Matching"), "{local}");
    // Both parties take part in every activity, as implementers.
    assert_eq!(file.count("//iati-activity[1]/participating-org[@role='4' and narrative='West Java']"), 1);
    assert_eq!(file.count("//iati-activity[1]/participating-org[@role='4' and narrative='Souss-Massa']"), 1);
    // The demo records no money and no indicator: no element says otherwise.
    assert_eq!(file.count("//transaction | //budget | //result"), 0);
}

#[actix_web::test]
async fn an_agreement_with_money_results_and_documents_is_a_valid_iati_file() {
    let iati =
        IatiSettings::new("XM-DAC-TEST", Some("XM-DAC-TEST-JB"), "Biro Kerja Sama Jawa Barat", 10).unwrap();
    let app = TestApp::with_settings(Settings { iati, ..Default::default() }).await;
    let case = app.founding_case().await;
    let path = format!("/api/v1/agreements/{}", case.agreement);
    let response = app
        .patch(&path, &json!({"local_language": "id", "local_title": "Kerja sama Jawa Barat & Souss-Massa"}))
        .await;
    assert_eq!(response.status, 200, "{}", String::from_utf8_lossy(&response.body));
    let plan = |key: &str, status: &str, extra: Value| {
        let mut body = json!({"key": key, "title": format!("Plan <{key}> & \"more\""), "status": status});
        body.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        app.action_plan(case.agreement, body)
    };
    let rich = plan(
        "ap-1",
        "in_progress",
        json!({"start_date": "2019-03-01", "end_date": "2020-06-30",
        "local_title": "Temu bisnis", "description": "Business matching", "outcome": "Coffee exported",
        "sector_ids": [case.trade], "agency_ids": [case.disperindag]}),
    )
    .await;
    plan("ap-2", "planned", json!({"year": 2026, "end_year": 2028})).await;
    plan("ap-3", "implemented", json!({"start_date": "2018-01-01", "end_date": "2018-12-31"})).await;
    plan("ap-4", "cancelled", json!({})).await;
    plan("ap-5", "suspended", json!({"year": 2021})).await;
    let rich = rich["id"].as_i64().unwrap();
    for (kind, amount, currency, date, payer) in [
        ("budget", "1250000000", "IDR", "2019-01-15", case.west_java),
        ("commitment", "500000000.00", "IDR", "2019-02-01", case.west_java),
        ("disbursement", "250000000", "IDR", "2019-03-01", case.west_java),
        ("expenditure", "0.10", "MAD", "2019-04-01", case.souss_massa),
        ("in_kind", "3000", "JPY", "2019-05-01", case.souss_massa),
    ] {
        app.create(
            "/api/v1/transactions",
            json!({"action_plan_id": rich, "kind": kind, "amount": amount, "currency": currency,
                "value_date": date, "party_region_id": payer, "description": "Paid <in> full & on time"}),
        )
        .await;
    }
    for body in [
        json!({"title": "SMEs exporting", "measure": "number", "baseline_value": "0", "baseline_year": 2018,
            "target_value": "10", "target_year": 2020, "actual_value": "4", "actual_on": "2019-12-31"}),
        json!({"title": "Days to clear customs", "measure": "number", "ascending": false, "target_value": "20",
            "target_year": 2021}),
        json!({"title": "Ties", "measure": "qualitative", "notes": "Three MoUs signed."}),
        json!({"title": "Share satisfied", "measure": "percentage", "baseline_value": "55.5"}),
    ] {
        let mut body = body;
        body["action_plan_id"] = json!(rich);
        app.create("/api/v1/indicators", body).await;
    }
    for body in [
        json!({"category": "memorandum_of_understanding", "title": "MoU", "url": "https://example.org/mou.PDF",
            "language": "id-ID", "issued_on": "2017-06-01"}),
        json!({"category": "report", "title": "Report", "url": "https://example.org/report", "action_plan_id": rich}),
        json!({"category": "minutes", "title": "Minutes without a link"}),
    ] {
        let mut body = body;
        body["agreement_id"] = json!(case.agreement);
        app.create("/api/v1/documents", body).await;
    }

    let file = IatiFile::of(&app, case.agreement).await;
    file.assert_valid();
    assert_eq!(file.count("//iati-activity"), 5);
    let activity = "//iati-activity[iati-identifier='XM-DAC-TEST-jabar-souss-massa-2017-ap-1']";
    assert_eq!(file.count(activity), 1);
    assert_eq!(file.xpath(&format!("string({activity}/reporting-org/@ref)")), "XM-DAC-TEST-JB");
    assert_eq!(file.xpath(&format!("string({activity}/reporting-org/@type)")), "10");
    assert_eq!(file.xpath(&format!("string({activity}/title/narrative[1])")), "Plan <ap-1> & \"more\"");
    assert_eq!(file.xpath(&format!("string({activity}/title/narrative[@xml:lang='id'])")), "Temu bisnis");
    assert_eq!(
        file.xpath(&format!("string({activity}/description[@type='1']/narrative)")),
        "Business matching"
    );
    assert_eq!(
        file.xpath(&format!("string({activity}/description[@type='4']/narrative)")),
        "Coffee exported"
    );
    // Statuses and dates: started plans have actual dates, the others planned ones.
    for (key, status) in [("ap-1", "2"), ("ap-2", "1"), ("ap-3", "3"), ("ap-4", "5"), ("ap-5", "6")] {
        let status_path = format!(
            "string(//iati-activity[substring-after(iati-identifier, '2017-')='{key}']/activity-status/@code)"
        );
        assert_eq!(file.xpath(&status_path), status, "{key}");
    }
    assert_eq!(file.xpath(&format!("string({activity}/activity-date[@type='2']/@iso-date)")), "2019-03-01");
    assert_eq!(file.xpath(&format!("string({activity}/activity-date[@type='3']/@iso-date)")), "2020-06-30");
    let ap2 = "//iati-activity[substring-after(iati-identifier, '2017-')='ap-2']";
    assert_eq!(file.xpath(&format!("string({ap2}/activity-date[@type='3']/@iso-date)")), "2028-12-31");
    let ap3 = "//iati-activity[substring-after(iati-identifier, '2017-')='ap-3']";
    assert_eq!(file.xpath(&format!("string({ap3}/activity-date[@type='4']/@iso-date)")), "2018-12-31");
    // Parties, then the plan's agency, all implementing.
    assert_eq!(file.count(&format!("{activity}/participating-org[@role='4']")), 3);
    assert_eq!(
        file.count(&format!("{activity}/participating-org[narrative='Dinas Perindustrian dan Perdagangan']")),
        1
    );
    assert_eq!(file.xpath(&format!("string({activity}/sector[@vocabulary='99']/@code)")), "trade-investment");
    // Money: the budget for its year, three transactions; the contribution in kind has no IATI type.
    assert_eq!(file.xpath(&format!("string({activity}/budget/period-start/@iso-date)")), "2019-01-01");
    assert_eq!(file.xpath(&format!("string({activity}/budget/value)")), "1250000000.00");
    let codes: Vec<String> = (1..=3)
        .map(|n| file.xpath(&format!("string({activity}/transaction[{n}]/transaction-type/@code)")))
        .collect();
    assert_eq!(codes, ["2", "3", "4"]);
    assert_eq!(file.count(&format!("{activity}/transaction")), 3);
    assert_eq!(file.xpath(&format!("string({activity}/transaction[3]/value)")), "0.10");
    assert_eq!(file.xpath(&format!("string({activity}/transaction[3]/value/@currency)")), "MAD");
    assert_eq!(
        file.xpath(&format!("string({activity}/transaction[3]/provider-org/narrative)")),
        "Souss-Massa"
    );
    assert_eq!(
        file.xpath(&format!("string({activity}/transaction[1]/description/narrative)")),
        "Paid <in> full & on time"
    );
    // Documents with a link: the plan's and the agreement's; the one without a link is left out.
    assert_eq!(file.count(&format!("{activity}/document-link")), 2);
    assert_eq!(
        file.xpath(&format!("string({activity}/document-link[title/narrative='MoU']/category/@code)")),
        "A09"
    );
    assert_eq!(
        file.xpath(&format!("string({activity}/document-link[title/narrative='MoU']/@format)")),
        "application/pdf"
    );
    assert_eq!(
        file.xpath(&format!("string({activity}/document-link[title/narrative='MoU']/language/@code)")),
        "id"
    );
    assert_eq!(file.count(&format!("{ap2}/document-link")), 1, "the agreement's MoU concerns every plan");
    // Results: the indicators with their measures, baseline, target and actual.
    assert_eq!(file.count(&format!("{activity}/result/indicator")), 4);
    let smes = format!("{activity}/result/indicator[title/narrative='SMEs exporting']");
    assert_eq!(file.xpath(&format!("string({smes}/@measure)")), "1");
    assert_eq!(file.xpath(&format!("string({smes}/baseline/@value)")), "0");
    assert_eq!(file.xpath(&format!("string({smes}/period/target/@value)")), "10");
    assert_eq!(file.xpath(&format!("string({smes}/period/actual/@value)")), "4");
    assert_eq!(file.xpath(&format!("string({smes}/period/period-end/@iso-date)")), "2020-12-31");
    let days = format!("{activity}/result/indicator[title/narrative='Days to clear customs']");
    assert_eq!(file.xpath(&format!("string({days}/@ascending)")), "0");
    let ties = format!("{activity}/result/indicator[title/narrative='Ties']");
    assert_eq!(file.xpath(&format!("string({ties}/@measure)")), "5");
    assert_eq!(file.count(&format!("{ties}/period | {ties}/baseline")), 0);
    // Plans with nothing to say leave the elements out.
    assert_eq!(file.count(&format!("{ap2}/transaction | {ap2}/budget | {ap2}/result | {ap2}/sector")), 0);
}

#[actix_web::test]
async fn the_iati_file_of_a_missing_agreement_is_a_404_problem() {
    let app = TestApp::new().await;
    app.get("/api/v1/agreements/999999/iati").await.assert_problem(404, &[]);
}

#[test]
fn iati_settings_refuse_identifiers_iati_cannot_carry() {
    assert!(IatiSettings::new("XM JALIN", None, "Jalin", 11).is_err());
    assert!(IatiSettings::new("XM-JALIN", Some("a/b"), "Jalin", 11).is_err());
    assert!(IatiSettings::new("XM-JALIN", None, " ", 11).is_err());
    let settings = IatiSettings::new("XM-JALIN", None, "Jalin", 11).unwrap();
    assert_eq!(settings.org_ref, "XM-JALIN", "the reporting organisation defaults to the prefix");
}

#[actix_web::test]
async fn an_agreement_without_action_plans_has_no_iati_file_to_give() {
    let app = TestApp::new().await;
    let case = app.founding_case().await;
    let problem =
        app.get(&format!("/api/v1/agreements/{}/iati", case.agreement)).await.assert_problem(409, &[]);
    assert!(problem["detail"].as_str().unwrap_or_default().contains("no action plans"), "{problem}");
}

#[actix_web::test]
async fn text_and_dates_stored_before_they_were_refused_still_make_a_valid_file_and_csv() {
    let app = TestApp::new().await;
    let case = app.founding_case().await;
    let plan = app
        .action_plan(
            case.agreement,
            json!({"key": "ap-01", "title": "Plan", "status": "implemented", "year": 2019}),
        )
        .await;
    app.create(
        "/api/v1/transactions",
        json!({"action_plan_id": plan["id"], "kind": "expenditure", "amount": "10.00", "currency": "IDR",
            "value_date": "2019-05-01"}),
    )
    .await;
    // Written straight into the database, as a release that took them would have stored them:
    // control characters XML forbids in the title, and a date of the year 999.
    let character = |code: u32| {
        if app.database_url.starts_with("postgres") {
            format!("chr({code})")
        } else {
            format!("char({code})")
        }
    };
    app.execute_sql(&format!(
        "UPDATE action_plans SET title = 'Old' || {} || 'title' || {} || {} || {} WHERE key = 'ap-01'; \
         UPDATE transactions SET value_date = '0999-05-01';",
        character(1),
        character(11),
        character(0xFFFE),
        character(0xFFFF)
    ));
    let file = IatiFile::of(&app, case.agreement).await;
    file.assert_valid();
    assert_eq!(
        file.xpath("string(//iati-activity/title/narrative)"),
        "Old\u{FFFD}title\u{FFFD}\u{FFFD}\u{FFFD}"
    );
    assert_eq!(file.count("//transaction"), 0, "a date the schema cannot carry is left out, not changed");
    let csv = String::from_utf8(app.get("/api/v1/action-plans?format=csv").await.body).unwrap();
    assert!(csv.contains("Old\u{FFFD}title\u{FFFD}\u{FFFD}\u{FFFD}"), "{csv}");
    assert!(!csv.chars().any(jalin::testing::forbidden_in_xml), "{csv:?}");
}
