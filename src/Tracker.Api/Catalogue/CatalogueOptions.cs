namespace Tracker.Api.Catalogue;

/// <summary>Configuration section "Catalogue".</summary>
public sealed class CatalogueOptions
{
    /// <summary>
    /// Load the catalogue files into an empty database when the service starts. Unset: in Development only, so a
    /// deployment for another coalition does not find the shipped catalogue in its log for good (until 2026-12-07 every
    /// environment loaded it).
    /// </summary>
    public bool? LoadOnStart { get; set; }

    /// <summary>Whether the catalogue is loaded on start in an environment: as set, or in Development only.</summary>
    public bool LoadsOnStartIn(IHostEnvironment environment) => LoadOnStart ?? environment.IsDevelopment();

    /// <summary>A catalogue file, or a folder whose *.json files are catalogues. Default: the catalogue shipped with the service.</summary>
    public string Path { get; set; } = System.IO.Path.Combine(AppContext.BaseDirectory, "catalogue");

    /// <remarks>A file's ending in any case ("UPPER.JSON"), as a folder copied from another system may spell it: until
    /// 2026-12-07 only lower-case endings were read, and the others were left out without a word.</remarks>
    public IEnumerable<string> Files() => Directory.Exists(Path)
        ? Directory.EnumerateFiles(Path, "*.json", new EnumerationOptions { MatchCasing = MatchCasing.CaseInsensitive }).Order(StringComparer.Ordinal)
        : File.Exists(Path) ? [Path] : [];
}
