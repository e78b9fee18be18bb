//! The authorization-code flow with PKCE and refreshing, against a fake token endpoint.

use std::time::Duration;

use frontdesk_calendar::{
    ClientSecret, GoogleOAuth, GoogleOAuthConfig, Pkce, PkceVerifier, RefreshToken,
    CALENDAR_EVENTS_SCOPE,
};
use frontdesk_core::calendar::CalendarError;
use reqwest::Url;
use serde_json::json;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::*;

#[test]
fn pkce_matches_rfc_7636_appendix_b() {
    let verifier = PkceVerifier::parse("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk").unwrap();
    let pkce = Pkce::from_verifier(verifier);
    assert_eq!(
        pkce.challenge(),
        "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    );
}

#[test]
fn the_authorization_url_asks_for_one_scope_offline_with_s256() {
    let config = GoogleOAuthConfig::new(CLIENT_ID, ClientSecret::new(CLIENT_SECRET), REDIRECT);
    let oauth = GoogleOAuth::new(config).unwrap();
    let pkce = Pkce::generate();
    let state = "st+ate/with &odd=chars";
    let url = Url::parse(&oauth.authorization_url(state, &pkce)).unwrap();
    assert_eq!(
        (url.scheme(), url.host_str(), url.path()),
        ("https", Some("accounts.google.com"), "/o/oauth2/v2/auth")
    );
    let mut pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    pairs.sort();
    let expected = [
        ("access_type", "offline"),
        ("client_id", CLIENT_ID),
        ("code_challenge", pkce.challenge()),
        ("code_challenge_method", "S256"),
        ("prompt", "consent"),
        ("redirect_uri", REDIRECT),
        ("response_type", "code"),
        ("scope", CALENDAR_EVENTS_SCOPE),
        ("state", state),
    ];
    let expected: Vec<(String, String)> = expected
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    assert_eq!(pairs, expected);
    // Encoded, not pasted: the raw state would have split into other parameters.
    assert!(!url.as_str().contains("&odd="));
    assert!(!url.as_str().contains(pkce.verifier().expose()));
}

#[tokio::test]
async fn exchanging_a_code_sends_the_verifier_and_returns_the_refresh_token() {
    let google = MockServer::start().await;
    let pkce = Pkce::generate();
    Mock::given(method("POST"))
        .and(path("/token"))
        .and(header("content-type", "application/x-www-form-urlencoded"))
        .and(FormHas(vec![
            ("grant_type", "authorization_code".into()),
            ("code", "4/0AcODE".into()),
            ("code_verifier", pkce.verifier().expose().to_owned()),
            ("redirect_uri", REDIRECT.into()),
            ("client_id", CLIENT_ID.into()),
            ("client_secret", CLIENT_SECRET.into()),
        ]))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "access_token": "ya29.a0FIRST",
            "expires_in": 3599,
            "refresh_token": REFRESH,
            "scope": CALENDAR_EVENTS_SCOPE,
            "token_type": "Bearer",
        })))
        .expect(1)
        .mount(&google)
        .await;
    let grant = oauth(&google)
        .exchange_code("4/0AcODE", pkce.verifier())
        .await
        .unwrap();
    assert_eq!(grant.refresh_token.expose(), REFRESH);
    assert_eq!(grant.access_token.expose(), "ya29.a0FIRST");
    assert_eq!(grant.expires_in, Duration::from_secs(3599));
    assert_eq!(grant.scope, CALENDAR_EVENTS_SCOPE);
}

#[tokio::test]
async fn a_grant_without_calendar_access_or_refresh_token_is_refused() {
    let google = MockServer::start().await;
    // The owner unticked the calendar box on Google's granular consent screen.
    Mock::given(method("POST"))
        .and(path("/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "access_token": "ya29.a0X",
            "expires_in": 3599,
            "refresh_token": REFRESH,
            "scope": "openid",
            "token_type": "Bearer",
        })))
        .up_to_n_times(1)
        .mount(&google)
        .await;
    Mock::given(method("POST"))
        .and(path("/token"))
        .respond_with(token("ya29.a0X"))
        .mount(&google)
        .await;
    let oauth = oauth(&google);
    let verifier = Pkce::generate().verifier().clone();
    for _ in 0..2 {
        let error = oauth.exchange_code("4/0A", &verifier).await.unwrap_err();
        assert!(matches!(error, CalendarError::Rejected(_)), "{error:?}");
    }
}

#[tokio::test]
async fn a_bad_code_is_rejected_but_a_refused_refresh_token_is_a_revoked_grant() {
    let google = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/token"))
        .respond_with(token_error(400, "invalid_grant", "Bad Request"))
        .mount(&google)
        .await;
    let oauth = oauth(&google);
    let verifier = Pkce::generate().verifier().clone();
    let error = oauth.exchange_code("4/0USED", &verifier).await.unwrap_err();
    assert_eq!(
        error,
        CalendarError::Rejected("invalid_grant: Bad Request".into())
    );
    let error = oauth
        .refresh(&RefreshToken::new(REFRESH))
        .await
        .unwrap_err();
    assert_eq!(error, CalendarError::GrantRevoked);
}

#[tokio::test]
async fn refreshing_returns_a_token_and_maps_token_endpoint_failures() {
    let google = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/token"))
        .and(FormHas(vec![
            ("grant_type", "refresh_token".into()),
            ("refresh_token", REFRESH.into()),
            ("client_id", CLIENT_ID.into()),
            ("client_secret", CLIENT_SECRET.into()),
        ]))
        .respond_with(token("ya29.a0NEW"))
        .up_to_n_times(1)
        .mount(&google)
        .await;
    Mock::given(method("POST"))
        .and(path("/token"))
        .respond_with(token_error(401, "invalid_client", "Unauthorized"))
        .up_to_n_times(1)
        .mount(&google)
        .await;
    Mock::given(method("POST"))
        .and(path("/token"))
        .respond_with(ResponseTemplate::new(503).set_body_string("<html>unavailable</html>"))
        .mount(&google)
        .await;
    let oauth = oauth(&google);
    let refresh = RefreshToken::new(REFRESH);
    let grant = oauth.refresh(&refresh).await.unwrap();
    assert_eq!(grant.access_token.expose(), "ya29.a0NEW");
    assert_eq!(grant.refresh_token, None);
    assert_eq!(
        oauth.refresh(&refresh).await.unwrap_err(),
        CalendarError::Rejected("invalid_client: Unauthorized".into())
    );
    assert_eq!(
        oauth.refresh(&refresh).await.unwrap_err(),
        CalendarError::Unavailable("<html>unavailable</html>".into())
    );
}
