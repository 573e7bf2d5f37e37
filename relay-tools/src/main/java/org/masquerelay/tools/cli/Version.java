package org.masquerelay.tools.cli;

import picocli.CommandLine;

/** {@code --version} of relay-tools and each of its commands: the project's one version. */
final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
        return org.masquerelay.display.Version.lines("relay-tools");
    }
}
