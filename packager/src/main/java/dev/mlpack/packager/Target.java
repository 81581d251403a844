package dev.mlpack.packager;

/** Where the artifact goes: Heroku (buildpack and container files) or any container platform (no Heroku files). */
public enum Target {
    HEROKU, DOCKER;

    public String cliName() { return name().toLowerCase(java.util.Locale.ROOT); }
}
