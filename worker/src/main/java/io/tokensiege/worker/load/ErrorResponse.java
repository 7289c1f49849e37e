package io.tokensiege.worker.load;

import io.tokensiege.common.metric.ErrorClass;
import io.tokensiege.common.metric.ServerError;
import io.tokensiege.common.security.Redactor;

/**
 * What a non-2xx response means for its request: the status classifies it, the body (read up to a bound, redacted)
 * explains it, and a redirect is named, never followed.
 */
record ErrorResponse(ErrorClass errorClass, String detail, String reason) {

    static ErrorClass classOf(int status) {
        if (status < 200 || status >= 600) return ErrorClass.MALFORMED; // a 101 or 102 to a POST, or no HTTP status at all
        if (status == 429) return ErrorClass.HTTP_429;
        if (status >= 500) return ErrorClass.HTTP_5XX;
        if (status >= 300 && status < 400) return ErrorClass.HTTP_3XX;
        return ErrorClass.HTTP_4XX;
    }

    /** {@code cut}: the body was longer than {@code limitBytes}, and the rest was not read. */
    static ErrorResponse of(int status, String body, String location, boolean cut, int limitBytes, Redactor redactor) {
        ErrorClass cls = classOf(status);
        ServerError err = cls == ErrorClass.HTTP_3XX ? ServerError.parse("redirect to " + redactor.redact(String.valueOf(location)) + ", not followed")
                : ServerError.parse(redactor.redact(body));
        String detail = "HTTP " + status + (err.detail().isEmpty() ? "" : " " + err.detail())
                + (cut ? " (body longer than " + limitBytes + " bytes; not read further)" : "");
        return new ErrorResponse(cls, detail, err.reason());
    }
}
