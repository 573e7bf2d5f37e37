package org.masquerelay.interop.cli;

import picocli.CommandLine;

/** {@code --version} of interop and each of its commands: the project's one version. */
final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
        return org.masquerelay.display.Version.lines("interop");
    }
}
