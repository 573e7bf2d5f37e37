package org.masquerelay.server.cli;

import picocli.CommandLine;

/** {@code --version} of relay-server and each of its commands: the project's one version. */
final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
        return org.masquerelay.display.Version.lines("relay-server");
    }
}
