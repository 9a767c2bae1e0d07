//! Route tables: the admin API and the console each list their routes in one constant, from
//! which their router is built, so tests can walk every route (a limited token or another
//! issuer's manager must find nothing) and a new route cannot be left out of those walks.

use axum::Router;
use axum::http::Method;
use axum::routing::{MethodFilter, MethodRouter};

use crate::AppState;

/// One route: method, path, and how to make its handler.
pub struct Route {
    /// `GET`, `POST`, `PATCH`, `PUT` or `DELETE`.
    pub method: Method,
    /// The path, in axum 0.8 syntax (`/issuers/{id}`).
    pub path: &'static str,
    handler: fn(MethodFilter) -> MethodRouter<AppState>,
}

/// A [`Route`] (a `const fn`, for route tables).
pub const fn route(
    method: Method,
    path: &'static str,
    handler: fn(MethodFilter) -> MethodRouter<AppState>,
) -> Route {
    Route {
        method,
        path,
        handler,
    }
}

impl Route {
    /// The method filter axum routes this route's method with.
    fn filter(&self) -> MethodFilter {
        match self.method {
            Method::POST => MethodFilter::POST,
            Method::PATCH => MethodFilter::PATCH,
            Method::PUT => MethodFilter::PUT,
            Method::DELETE => MethodFilter::DELETE,
            _ => MethodFilter::GET,
        }
    }
}

/// A router with every route of `routes`.
pub fn router(routes: &[Route]) -> Router<AppState> {
    routes.iter().fold(Router::new(), |router, route| {
        router.route(route.path, (route.handler)(route.filter()))
    })
}

/// A path id as a UUID; anything else is a 404 (not a 400: a mistyped link is just absent).
pub fn parse_id(text: &str, what: &str) -> Result<uuid::Uuid, crate::HttpError> {
    uuid::Uuid::try_parse(text).map_err(|_| crate::HttpError::not_found(what, text))
}
