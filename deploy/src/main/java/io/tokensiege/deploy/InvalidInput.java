package io.tokensiege.deploy;

/** Something the user gave was refused (a short token, an invalid simulator override): exit 2, the message says what and where. */
final class InvalidInput extends RuntimeException {
    InvalidInput(String message) {
        super(message);
    }
}
