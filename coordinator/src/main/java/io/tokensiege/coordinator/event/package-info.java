/**
 * What a run tells whoever follows it: step events ({@link io.tokensiege.coordinator.event.RunListener}) and typed
 * failures ({@link io.tokensiege.coordinator.event.Failure}). Its own package so that {@code run} (which writes through
 * {@code report}) and {@code report} (which shows failures and follows progress) both depend on it, and not on each other.
 */
package io.tokensiege.coordinator.event;
