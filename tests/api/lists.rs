//! What every list does the same way (API.md sections 1 and 11): enumeration filters with
//! several values, and where nulls go in `sort`.

use serde_json::{Value, json};

use crate::helpers::{TestApp, ids};

fn id(record: &Value) -> i64 {
    record["id"].as_i64().expect("id")
}

/// The first column (ids) of a CSV body's rows, the header left out.
fn csv_ids(body: &[u8]) -> Vec<i64> {
    let text = std::str::from_utf8(body).expect("UTF-8");
    text.lines().skip(1).map(|line| line.split(',').next().unwrap().parse().expect("an id")).collect()
}

/// Action plans of four statuses, and of years 2024, 2026 and none; their ids in order of
/// creation.
async fn four_plans(app: &TestApp, agreement: i64) -> [i64; 4] {
    let mut plans = [0; 4];
    for (plan, (status, year)) in plans.iter_mut().zip([
        ("planned", json!(2026)),
        ("in_progress", json!(null)),
        ("implemented", json!(2024)),
        ("cancelled", json!(2026)),
    ]) {
        let title = format!("A plan {status}");
        *plan =
            id(&app.action_plan(agreement, json!({"title": title, "status": status, "year": year})).await);
    }
    plans
}

#[actix_web::test]
async fn an_enumeration_filter_takes_several_values_comma_separated() {
    let app = TestApp::new().await;
    let case = app.founding_case().await;
    let [planned, in_progress, implemented, cancelled] = four_plans(&app, case.agreement).await;
    let listed = |query: &str| {
        let path = format!("/api/v1/action-plans?{query}");
        let app = &app;
        async move { ids(&app.get(&path).await.json()) }
    };
    assert_eq!(listed("status=planned").await, [planned], "one value as before");
    assert_eq!(listed("status=planned,in_progress").await, [planned, in_progress]);
    assert_eq!(listed("status=in_progress,planned").await, [planned, in_progress], "in any order");
    assert_eq!(listed("status=planned,planned").await, [planned], "a value given twice counts once");
    assert_eq!(
        listed("status=planned&status=in_progress").await,
        [planned, in_progress],
        "repeated, as generated clients send a list"
    );
    assert_eq!(
        listed("status=planned%2Cin_progress").await,
        [planned, in_progress],
        "a comma percent-encoded"
    );
    assert_eq!(listed("status=implemented,cancelled,suspended&year=2026").await, [cancelled]);
    assert_eq!(listed("status=planned,implemented&sort=-year").await, [planned, implemented]);
    let page =
        app.get("/api/v1/action-plans?status=planned,in_progress,implemented&limit=1&offset=1").await.json();
    assert_eq!(
        (ids(&page), page["total"].clone()),
        (vec![in_progress], json!(3)),
        "total counts every match"
    );
    let nested = format!("/api/v1/agreements/{}/action-plans?status=cancelled,in_progress", case.agreement);
    assert_eq!(ids(&app.get(&nested).await.json()), [in_progress, cancelled]);

    // Agreements by kind.
    let bandung =
        app.create("/api/v1/regions", json!({"name": "Bandung", "kind": "city", "country_code": "ID"})).await;
    let other = app
        .create(
            "/api/v1/agreements",
            json!({"title": "Other", "kind": "other", "status": "proposed",
            "party_region_ids": [id(&bandung), case.souss_massa]}),
        )
        .await;
    let agreements = |query: &str| {
        let path = format!("/api/v1/agreements?{query}");
        let app = &app;
        async move { ids(&app.get(&path).await.json()) }
    };
    assert_eq!(agreements("kind=sister_province,other").await, [case.agreement, id(&other)]);
    assert_eq!(agreements("kind=sister_city,other").await, [id(&other)]);
    assert_eq!(agreements("kind=sister_city,institutional").await, Vec::<i64>::new());
    assert_eq!(agreements("kind=sister_province,other&status=proposed,signed").await, [id(&other)]);

    // Regions by kind.
    let regions = app.get("/api/v1/regions?kind=city,region&sort=name").await.json();
    assert_eq!(ids(&regions), [id(&bandung), case.souss_massa]);
}

#[actix_web::test]
async fn unassessed_combines_with_assessed_values() {
    let app = TestApp::new().await;
    let case = app.founding_case().await;
    let obstacle = |severity: Value, status: Value| {
        let app = &app;
        async move {
            id(&app
                .create(
                    "/api/v1/obstacles",
                    json!({"agreement_id": case.agreement, "category": "financial", "description": "Funds",
                    "severity": severity, "status": status}),
                )
                .await)
        }
    };
    let unassessed = obstacle(json!(null), json!(null)).await;
    let high = obstacle(json!("high"), json!("open")).await;
    let low = obstacle(json!("low"), json!("resolved")).await;
    let listed = |query: &str| {
        let path = format!("/api/v1/obstacles?{query}");
        let app = &app;
        async move { ids(&app.get(&path).await.json()) }
    };
    assert_eq!(listed("severity=unassessed").await, [unassessed]);
    assert_eq!(listed("severity=high").await, [high]);
    assert_eq!(listed("severity=unassessed,high").await, [unassessed, high]);
    assert_eq!(listed("severity=high,unassessed").await, [unassessed, high]);
    assert_eq!(listed("severity=low,high").await, [high, low]);
    assert_eq!(listed("severity=unassessed,low,medium,high").await, [unassessed, high, low]);
    assert_eq!(listed("severity=medium").await, Vec::<i64>::new());
    assert_eq!(listed("status=unassessed,resolved").await, [unassessed, low]);
    assert_eq!(listed("status=unassessed,open&severity=unassessed,low").await, [unassessed]);
    assert_eq!(listed("status=open,resolved&severity=unassessed,high").await, [high]);
    assert_eq!(listed("category=financial,resources&severity=unassessed,low").await, [unassessed, low]);
    let nested = format!("/api/v1/agreements/{}/obstacles?severity=unassessed,low", case.agreement);
    assert_eq!(ids(&app.get(&nested).await.json()), [unassessed, low]);
}

#[actix_web::test]
async fn a_bad_value_in_a_list_of_values_is_a_400_naming_the_parameter() {
    let app = TestApp::new().await;
    let problem =
        app.get("/api/v1/action-plans?status=planned,plannd").await.assert_problem(400, &["status"]);
    let message = problem["errors"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("`plannd`") && message.contains("planned, in_progress, implemented"),
        "{message}"
    );
    let problem = app.get("/api/v1/action-plans?status=plannd").await.assert_problem(400, &["status"]);
    assert_eq!(
        problem["errors"][0]["message"],
        "must be one of: planned, in_progress, implemented, suspended, cancelled",
        "one value: the message of before"
    );
    for query in
        ["status=planned,", "status=,planned", "status=planned,,cancelled", "status=", "status=%20planned"]
    {
        app.get(&format!("/api/v1/action-plans?{query}")).await.assert_problem(400, &["status"]);
    }
    // Repeated, the parameter is read as one list; an empty or bad value in it is still named.
    app.get("/api/v1/action-plans?status=planned&status=").await.assert_problem(400, &["status"]);
    app.get("/api/v1/action-plans?status=planned&status=nope").await.assert_problem(400, &["status"]);
    // Other parameters still take one value.
    app.get("/api/v1/action-plans?year=2019&year=2020").await.assert_problem(400, &["year"]);
    app.get("/api/v1/obstacles?severity=unassessed,none").await.assert_problem(400, &["severity"]);
    app.get("/api/v1/agreements?kind=sister_province,planet&status=active,dormant")
        .await
        .assert_problem(400, &["kind", "status"]);
    app.get("/api/v1/action-plans.csv?status=planned,nope").await.assert_problem(400, &["status"]);
    app.get("/api/v1/relationships?status=active,done").await.assert_problem(400, &["status"]);
}

#[actix_web::test]
async fn csv_lists_take_the_same_filters_and_sort() {
    let app = TestApp::new().await;
    let case = app.founding_case().await;
    let [planned, in_progress, implemented, _] = four_plans(&app, case.agreement).await;
    for path in ["/api/v1/action-plans?format=csv&", "/api/v1/action-plans.csv?"] {
        let response =
            app.get(&format!("{path}status=planned,in_progress,implemented&sort=year:nullsfirst")).await;
        assert_eq!(response.status, 200, "{path}");
        assert_eq!(csv_ids(&response.body), [in_progress, implemented, planned], "{path}");
    }
    let without_limit =
        app.get("/api/v1/action-plans.csv?status=in_progress,planned&sort=-year:nullslast").await;
    assert_eq!(csv_ids(&without_limit.body), [planned, in_progress]);
    let obstacles = app.get("/api/v1/obstacles.csv?severity=unassessed,high").await;
    assert_eq!(csv_ids(&obstacles.body), Vec::<i64>::new());
}

/// Regions: West Java (no population), Souss-Massa (2,676,847), Bandung (2,500,000).
async fn three_regions(app: &TestApp) -> [i64; 3] {
    let west_java = id(&app.west_java().await);
    let souss_massa = id(&app.souss_massa().await);
    let bandung = id(&app
        .create(
            "/api/v1/regions",
            json!({"name": "Bandung", "kind": "city", "country_code": "ID", "population": 2_500_000}),
        )
        .await);
    [west_java, souss_massa, bandung]
}

#[actix_web::test]
async fn sort_puts_nulls_first_or_last_as_asked() {
    let app = TestApp::new().await;
    let [west_java, souss_massa, bandung] = three_regions(&app).await;
    let sorted = |sort: &str| {
        let path = format!("/api/v1/regions?sort={sort}");
        let app = &app;
        async move { ids(&app.get(&path).await.json()) }
    };
    // Without a suffix, as before: last ascending, first descending.
    assert_eq!(sorted("population").await, [bandung, souss_massa, west_java]);
    assert_eq!(sorted("-population").await, [west_java, souss_massa, bandung]);
    assert_eq!(sorted("population:nullslast").await, [bandung, souss_massa, west_java]);
    assert_eq!(sorted("population:nullsfirst").await, [west_java, bandung, souss_massa]);
    assert_eq!(sorted("-population:nullsfirst").await, [west_java, souss_massa, bandung]);
    assert_eq!(sorted("-population:nullslast").await, [souss_massa, bandung, west_java]);
    assert_eq!(sorted("-population:nullslast,name").await, [souss_massa, bandung, west_java]);
    assert_eq!(sorted("country_code,-population:nullslast").await, [bandung, west_java, souss_massa]);
    // A field that is never null: the suffix changes nothing.
    assert_eq!(sorted("name:nullsfirst").await, sorted("name").await);
    assert_eq!(sorted("-name:nullslast").await, sorted("-name").await);
    // Pages of such an order (on PostgreSQL a page past the first reads its ids first).
    let second = app.get("/api/v1/regions?sort=-population:nullslast&limit=1&offset=1").await.json();
    assert_eq!((ids(&second), second["total"].clone()), (vec![bandung], json!(3)));
    let last = app.get("/api/v1/regions?sort=population:nullsfirst&limit=2&offset=2").await.json();
    assert_eq!(ids(&last), [souss_massa]);
    let csv = app.get("/api/v1/regions.csv?sort=-population:nullslast").await;
    assert_eq!(csv_ids(&csv.body), [souss_massa, bandung, west_java]);

    for bad in [
        "population:nullsmiddle",
        "population:",
        ":nullslast",
        "population:NULLSLAST",
        "population:nulls:last",
    ] {
        app.get(&format!("/api/v1/regions?sort={bad}")).await.assert_problem(400, &["sort"]);
    }
    // A field named twice counts once, the first time.
    assert_eq!(
        ids(&app.get("/api/v1/regions?sort=population:nullsfirst,-population").await.json()),
        ids(&app.get("/api/v1/regions?sort=population:nullsfirst").await.json())
    );
    // `after_id` with a sort: the matches after that id, in that order.
    let after_sorted =
        app.get(&format!("/api/v1/regions?after_id={west_java}&sort=population:nullslast")).await;
    let sorted: Vec<i64> = ids(&app.get("/api/v1/regions?sort=population:nullslast").await.json())
        .into_iter()
        .filter(|id| *id > west_java)
        .collect();
    assert_eq!(ids(&after_sorted.json()), sorted);
    let after = app.get(&format!("/api/v1/regions?after_id={west_java}&kind=region,city")).await.json();
    assert_eq!((ids(&after), after["total"].clone()), (vec![souss_massa, bandung], json!(2)));
}

#[actix_web::test]
async fn action_plans_without_a_year_go_where_sort_says() {
    let app = TestApp::new().await;
    let case = app.founding_case().await;
    let [planned, in_progress, implemented, cancelled] = four_plans(&app, case.agreement).await;
    let sorted = |query: &str| {
        let path = format!("/api/v1/action-plans?{query}");
        let app = &app;
        async move { ids(&app.get(&path).await.json()) }
    };
    assert_eq!(sorted("sort=year").await, [implemented, planned, cancelled, in_progress]);
    assert_eq!(sorted("sort=-year").await, [in_progress, planned, cancelled, implemented]);
    assert_eq!(sorted("sort=year:nullsfirst").await, [in_progress, implemented, planned, cancelled]);
    assert_eq!(sorted("sort=-year:nullslast").await, [planned, cancelled, implemented, in_progress]);
    assert_eq!(sorted("sort=-year:nullslast,title").await, [cancelled, planned, implemented, in_progress]);
    assert_eq!(
        sorted("status=in_progress,implemented,planned&sort=-year:nullslast&limit=2&offset=1").await,
        [implemented, in_progress]
    );
    assert_eq!(
        sorted("year_undetermined=false&sort=year:nullsfirst").await,
        [implemented, planned, cancelled]
    );
}

#[test]
fn the_openapi_document_declares_enumeration_filters_as_arrays_sent_comma_separated() {
    let document = serde_json::to_value(jalin::app::openapi_document()).unwrap();
    let schemas = &document["components"]["schemas"];
    let parameter = |path: &str, name: &str| -> Value {
        document["paths"][path]["get"]["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == name)
            .unwrap_or_else(|| panic!("{path} has {name}"))
            .clone()
    };
    let status = parameter("/api/v1/action-plans", "status");
    assert_eq!(status["style"], "form");
    assert_eq!(status["explode"], false);
    assert_eq!(status["schema"]["type"], "array");
    assert_eq!(status["schema"]["items"], json!({"$ref": "#/components/schemas/ActionPlanStatus"}));
    let severity = parameter("/api/v1/obstacles", "severity");
    assert_eq!(severity["schema"]["items"], json!({"$ref": "#/components/schemas/SeverityFilter"}));
    assert_eq!(schemas["SeverityFilter"]["enum"].as_array().unwrap().last().unwrap(), "unassessed");
    let sort = parameter("/api/v1/regions", "sort");
    let described = sort["description"].as_str().unwrap();
    assert!(described.contains(":nullsfirst") && described.contains(":nullslast"), "{described}");

    // Every query parameter of an enumeration is such an array: no single-valued one is left
    // (country and currency codes, ISO lists, take one value).
    for (path, item) in document["paths"].as_object().unwrap() {
        let Some(parameters) = item["get"]["parameters"].as_array() else { continue };
        for parameter in parameters.iter().filter(|p| p["in"] == "query") {
            let Some(reference) = parameter["schema"]["$ref"].as_str() else { continue };
            let name = reference.trim_start_matches("#/components/schemas/");
            let is_enumeration = schemas[name]["enum"].is_array();
            assert!(
                !is_enumeration || ["CountryCode", "CurrencyCode"].contains(&name),
                "{path} {}: {name} is single-valued",
                parameter["name"]
            );
        }
    }
}

/// A page of every action plan far from the start is found from the counts of plans per range
/// of 2,048 ids (migration 000017): it must be the very page an `OFFSET` over every plan
/// gives, across ranges left empty or with gaps, after plans written by SQL, by a large import
/// (whose counts are recounted at its end) and by the API, and past the end.
#[actix_web::test]
async fn a_deep_page_of_every_plan_is_the_page_an_offset_gives() {
    let app = TestApp::new().await;
    let case = app.founding_case().await;
    app.execute_sql(&format!(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 6000) \
         INSERT INTO action_plans (key, agreement_id, title, status, year, version, created_at, updated_at) \
         SELECT 'deep-' || i, {}, 'Plan ' || i, 'planned', 2020, 1, '2026-01-01 00:00:00', \
         '2026-01-01 00:00:00' FROM n",
        case.agreement
    ));
    // A range of ids left empty, and gaps in the others.
    app.execute_sql("DELETE FROM action_plans WHERE (id >= 2048 AND id < 4096) OR id % 7 = 0");
    let imported: Vec<Value> = (0..1_200)
        .map(|n| {
            json!({"key": format!("bulk-{n}"), "agreement": "jabar-souss-massa-2017", "title": format!("Bulk {n}"),
                   "status": "planned"})
        })
        .collect();
    let response = app.post("/api/v1/import", &json!({"action_plans": imported})).await;
    assert_eq!(response.status.as_u16(), 200, "{}", String::from_utf8_lossy(&response.body));
    let written =
        id(&app.action_plan(case.agreement, json!({"title": "Through the API", "status": "planned"})).await);
    assert_eq!(app.delete(&format!("/api/v1/action-plans/{}", written - 1)).await.status.as_u16(), 204);

    // Every id in order, read by `after_id`, which pages without counting.
    let mut every = Vec::new();
    loop {
        let after = every.last().copied().unwrap_or(0);
        let page = app.get(&format!("/api/v1/action-plans?after_id={after}&limit=500")).await.json();
        let page_ids = ids(&page);
        if page_ids.is_empty() {
            break;
        }
        every.extend(page_ids);
    }
    let total = every.len();
    assert!(total > 4_000, "plans over several ranges of ids: {total}");
    assert!(every.contains(&written) && !every.contains(&(written - 1)));

    for (offset, limit) in
        [(2_047, 50), (2_048, 50), (2_049, 7), (total / 2, 50), (total - 3, 50), (total, 50)]
    {
        for order in ["", "&sort=id"] {
            let page =
                app.get(&format!("/api/v1/action-plans?offset={offset}&limit={limit}{order}")).await.json();
            let expected = &every[offset.min(total)..(offset + limit).min(total)];
            assert_eq!(ids(&page), expected, "offset {offset}, limit {limit}{order}");
            assert_eq!(
                (&page["total"], &page["offset"], &page["limit"]),
                (&json!(total), &json!(offset), &json!(limit))
            );
        }
    }
    let past = app.get(&format!("/api/v1/action-plans?offset={}", total + 10)).await.json();
    assert_eq!(ids(&past), Vec::<i64>::new());
    assert_eq!(past["total"], total);
    // In another order, the page is read as asked.
    let descending =
        app.get(&format!("/api/v1/action-plans?offset={}&limit=5&sort=-id", total - 5)).await.json();
    assert_eq!(ids(&descending), every[..5].iter().rev().copied().collect::<Vec<_>>());
}

/// The `total` of plans filtered by status and years alone is added up from counts per status
/// and year (migration 000018): it must be the number of plans the list walks through, after
/// plans created, imported in bulk (their counts recounted at the import's end), and then
/// changed in status and year (to none and back), deleted, written by SQL and by the API, for
/// every kind of such filter, and with plans running over several years (counted by the list
/// itself).
#[actix_web::test]
async fn a_total_by_status_and_year_is_the_number_of_plans_listed() {
    let app = TestApp::new().await;
    let case = app.founding_case().await;
    let statuses = ["planned", "in_progress", "implemented", "cancelled"];
    let mut created = Vec::new();
    for n in 0..12 {
        let year = if n % 5 == 4 { json!(null) } else { json!(2018 + n % 4) };
        let body = json!({"title": format!("Plan {n}"), "status": statuses[n % 4], "year": year});
        created.push(id(&app.action_plan(case.agreement, body).await));
    }
    let imported: Vec<Value> = (0..1_200)
        .map(|n| {
            let year = if n % 7 == 0 { json!(null) } else { json!(2017 + n % 5) };
            json!({"key": format!("bulk-{n}"), "agreement": "jabar-souss-massa-2017", "title": format!("Bulk {n}"),
                   "status": statuses[n % 4], "year": year})
        })
        .collect();
    let response = app.post("/api/v1/import", &json!({"action_plans": imported})).await;
    assert_eq!(response.status.as_u16(), 200, "{}", String::from_utf8_lossy(&response.body));
    // Changed after the import, whose counts were recounted at its end: the triggers count again.
    for (plan, change) in [
        (created[0], json!({"status": "implemented"})),
        (created[1], json!({"year": null})),
        (created[4], json!({"year": 2021, "status": "cancelled"})),
        (created[2], json!({"year": 2019})),
    ] {
        let response = app.patch(&format!("/api/v1/action-plans/{plan}"), &change).await;
        assert_eq!(response.status.as_u16(), 200, "{}", String::from_utf8_lossy(&response.body));
    }
    assert_eq!(app.delete(&format!("/api/v1/action-plans/{}", created[3])).await.status.as_u16(), 204);
    app.execute_sql(&format!(
        "INSERT INTO action_plans (key, agreement_id, title, status, year, version, created_at, updated_at) \
         VALUES ('by-sql', {}, 'By SQL', 'in_progress', 2020, 1, '2026-01-01 00:00:00', '2026-01-01 00:00:00')",
        case.agreement
    ));
    app.action_plan(case.agreement, json!({"title": "After", "status": "planned", "year": 2020})).await;

    let listed = |filters: String| {
        let app = &app;
        async move {
            let (mut count, mut after) = (0, 0);
            loop {
                let page =
                    app.get(&format!("/api/v1/action-plans?{filters}&after_id={after}&limit=500")).await;
                let page_ids = ids(&page.json());
                let Some(last) = page_ids.last() else { break };
                after = *last;
                count += page_ids.len() as i64;
            }
            count
        }
    };
    let filters = [
        "status=planned",
        "status=in_progress,cancelled",
        "year=2020",
        "status=implemented&year=2019",
        "status=planned,implemented&year=2021",
        "year_from=2019",
        "year_to=2019",
        "year_from=2018&year_to=2020&status=cancelled",
        "year_undetermined=true",
        "year_undetermined=true&status=planned",
        "year_undetermined=false&status=in_progress",
        "year_undetermined=true&year_from=0",
        "year=1999",
    ];
    for filter in filters {
        let expected = listed(filter.to_owned()).await;
        assert_eq!(app.total(&format!("/api/v1/action-plans?{filter}")).await, expected, "{filter}");
    }
    assert!(listed("year=2020".to_owned()).await > 200, "the import's plans are listed");
    // A plan of 2017-2021 matches 2019 to 2021 without starting then: the list counts those.
    let span = json!({"title": "Over five years", "status": "planned", "year": 2017, "end_year": 2021});
    app.action_plan(case.agreement, span).await;
    for filter in ["year=2020&status=planned", "year_from=2021", "year=2017"] {
        let expected = listed(filter.to_owned()).await;
        assert_eq!(app.total(&format!("/api/v1/action-plans?{filter}")).await, expected, "{filter}");
    }
}
