package org.masquerelay.server.log;

import java.util.Map;

/**
 * A log record's parameter that carries fields for machines: the JSON log writes them as the event's own fields
 * ({@link JsonLogFormat}), the text log writes the parameter's {@code toString()}, the line people read. Field
 * values are strings or numbers; never a credential.
 */
public interface LogEvent {

    /** The fields, in the order they should be written; the first is usually {@code event}. */
    Map<String, Object> fields();
}
