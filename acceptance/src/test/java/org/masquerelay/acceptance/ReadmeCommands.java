package org.masquerelay.acceptance;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The commands of a README's {@code ```sh} blocks, in order: continuation lines joined, comments split off, a
 * trailing {@code &} noted. A comment "exit N" says the command is meant to exit with N (a refusal shown on
 * purpose); any other command is meant to succeed.
 */
final class ReadmeCommands {
    private static final Pattern EXIT = Pattern.compile("\\bexit (\\d+)\\b");

    /**
     * @param section      the "## " heading the block is under
     * @param text         the command, without its comment and trailing '&'
     * @param expectedExit what it should exit with
     * @param background   written with a trailing '&'
     */
    record Command(String section, String text, int expectedExit, boolean background) {
        boolean startsWith(String prefix) {
            return text.startsWith(prefix);
        }
    }

    private ReadmeCommands() {
    }

    static List<Command> parse(String markdown) {
        List<Command> commands = new ArrayList<>();
        String section = "";
        boolean inBlock = false;
        StringBuilder pending = new StringBuilder();
        for (String line : markdown.split("\n", -1)) {
            String trimmed = line.strip();
            if (!inBlock && line.startsWith("## ")) {
                section = line.substring(3).strip();
            } else if (!inBlock && trimmed.equals("```sh")) {
                inBlock = true;
            } else if (inBlock && trimmed.equals("```")) {
                inBlock = false;
            } else if (inBlock) {
                String[] codeAndComment = splitComment(line);
                String code = codeAndComment[0].stripTrailing();
                if (code.endsWith("\\")) {
                    pending.append(code, 0, code.length() - 1).append(' ');
                    continue;
                }
                String full = (pending + code).strip().replaceAll("\\s+", " ");
                pending.setLength(0);
                if (full.isEmpty()) {
                    continue;
                }
                Matcher exit = EXIT.matcher(codeAndComment[1]);
                boolean background = full.endsWith("&");
                if (background) {
                    full = full.substring(0, full.length() - 1).strip();
                }
                commands.add(new Command(section, full, exit.find() ? Integer.parseInt(exit.group(1)) : 0, background));
            }
        }
        return commands;
    }

    /** The code and the comment of a shell line: '#' starts a comment at a word's start, outside quotes. */
    static String[] splitComment(String line) {
        char quote = 0;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                }
            } else if (c == '\'' || c == '"') {
                quote = c;
            } else if (c == '#' && (i == 0 || Character.isWhitespace(line.charAt(i - 1)))) {
                return new String[] {line.substring(0, i), line.substring(i + 1)};
            }
        }
        return new String[] {line, ""};
    }
}
