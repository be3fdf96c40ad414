//! A deadline for receiving the request body.
//!
//! actix-web bounds only the time a client takes to send the request head. A client that then
//! trickles its body one byte at a time would hold a connection and a worker's attention for as
//! long as it likes. This middleware wraps the body in a stream that fails once the deadline
//! passes. The request then gets 408 and its connection is closed, whatever the extractor made
//! of the failed read.

use std::cell::Cell;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};
use std::time::Duration;

use actix_web::HttpMessage;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::error::PayloadError;
use actix_web::middleware::Next;
use actix_web::web::Bytes;
use futures_util::Stream;
use tokio::time::Sleep;

use crate::error::ApiError;

/// How long a client may take to send a request body, counted from the end of its head.
#[derive(Clone, Copy, Debug)]
pub struct BodyTimeout(pub Duration);

/// Puts the deadline from the app's `BodyTimeout` on the request body; a request whose body
/// missed it gets 408, and its connection is closed.
pub async fn limit_body_time(
    mut request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let Some(BodyTimeout(timeout)) = request.app_data::<BodyTimeout>().copied() else {
        return next.call(request).await.map(ServiceResponse::map_into_boxed_body);
    };

    let expired = Rc::new(Cell::new(false));
    let body = Deadline {
        inner: request.take_payload(),
        sleep: Box::pin(tokio::time::sleep(timeout)),
        expired: Rc::clone(&expired),
    };
    request.set_payload(Payload::from(Box::pin(body) as Pin<Box<dyn Stream<Item = _>>>));

    let outcome = next.call(request).await.map(ServiceResponse::map_into_boxed_body);

    if !expired.get() {
        return outcome;
    }
    // Whatever the handler made of the failed read becomes the 408. Built as a response rather
    // than returned as an error, it passes back through the outer middleware, which add the
    // request id.
    let late = ApiError::RequestTimeout { seconds: timeout.as_secs().max(1) };
    match outcome {
        Ok(response) => Ok(ServiceResponse::from_err(late, response.request().clone())),
        Err(_) => Err(late.into()),
    }
}

/// The request body, failing with a timed-out read once `sleep` has fired.
struct Deadline {
    inner: Payload,
    sleep: Pin<Box<Sleep>>,
    expired: Rc<Cell<bool>>,
}

impl Stream for Deadline {
    type Item = Result<Bytes, PayloadError>;

    fn poll_next(mut self: Pin<&mut Self>, context: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if let Poll::Ready(item) = Pin::new(&mut self.inner).poll_next(context) {
            return Poll::Ready(item);
        }
        if self.sleep.as_mut().poll(context).is_ready() {
            self.expired.set(true);
            let error = std::io::Error::new(std::io::ErrorKind::TimedOut, "request body deadline passed");
            return Poll::Ready(Some(Err(PayloadError::Io(error))));
        }
        Poll::Pending
    }
}
