package dev.streambard.gateway;

/** A request the gateway cannot take: the status to answer with and a message saying what to fix. */
final class HttpError extends RuntimeException {
    final int status;

    HttpError(int status, String message) {
        super(message);
        this.status = status;
    }

    static HttpError badRequest(String message) {
        return new HttpError(400, message);
    }
}
