package org.masquerelay.server;

import org.masquerelay.display.LogFormat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** The lines one logger (and its children) writes while open, formatted as the relay's log formats them. */
final class CapturedLog extends Handler implements AutoCloseable {
    private final Logger logger;
    private final Level previous;
    private final LogFormat format = new LogFormat(false, "", false);
    private final List<String> lines = new CopyOnWriteArrayList<>();

    CapturedLog(String name) {
        logger = Logger.getLogger(name);
        previous = logger.getLevel();
        logger.setLevel(Level.INFO);
        logger.addHandler(this);
    }

    List<String> lines() {
        return List.copyOf(lines);
    }

    @Override
    public void publish(LogRecord record) {
        lines.add(format.format(record).strip());
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        logger.removeHandler(this);
        logger.setLevel(previous);
    }
}
