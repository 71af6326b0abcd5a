namespace Tracker.Api.Catalogue;

/// <summary>Configuration section "Catalogue".</summary>
public sealed class CatalogueOptions
{
    /// <summary>Load the catalogue files into an empty database when the service starts.</summary>
    public bool LoadOnStart { get; set; } = true;

    /// <summary>A catalogue file, or a folder whose *.json files are catalogues. Default: the catalogue shipped with the service.</summary>
    public string Path { get; set; } = System.IO.Path.Combine(AppContext.BaseDirectory, "catalogue");

    public IEnumerable<string> Files() => Directory.Exists(Path)
        ? Directory.EnumerateFiles(Path, "*.json").Order()
        : File.Exists(Path) ? [Path] : [];
}
