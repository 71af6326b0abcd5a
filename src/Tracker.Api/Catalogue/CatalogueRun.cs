namespace Tracker.Api.Catalogue;

/// <summary>
/// One run of the importer over a file or a folder's files: a catalogue (known by its name, CatalogueFile.CorrelationId)
/// may be split over several of them. The commitments its files list together are what the run asks the log about, once,
/// after its last file, and only when every file of the run could be read (a file that could not be read lists what
/// nothing knows); a commitment listed in two files of one catalogue is imported from the first (until 2026-12-07 the
/// two undid each other on every run, and each file said the other's commitments were no longer listed).
/// </summary>
public sealed class CatalogueRun
{
    private readonly IReadOnlyList<CatalogueFile> _files;
    private readonly bool _everyFileRead;

    public CatalogueRun(IReadOnlyList<CatalogueFile> files, bool everyFileRead)
    {
        _files = files;
        _everyFileRead = everyFileRead;
    }

    /// <summary>A run of one catalogue read whole (the API's tests, a single file).</summary>
    public static CatalogueRun Of(CatalogueFile file) => new([file], everyFileRead: true);

    private IEnumerable<CatalogueFile> SameCatalogue(CatalogueFile file) => _files.Where(f => f.CorrelationId == file.CorrelationId);

    /// <summary>Every commitment key the run's files of this catalogue list.</summary>
    public IReadOnlySet<string> Listed(CatalogueFile file) => SameCatalogue(file).SelectMany(CatalogueFile.KeysOf).ToHashSet();

    /// <summary>The keys the run's earlier files of this catalogue list, which this file's entries do not import again.</summary>
    public IReadOnlySet<string> ListedBefore(CatalogueFile file) =>
        SameCatalogue(file).TakeWhile(f => !ReferenceEquals(f, file)).SelectMany(CatalogueFile.KeysOf).ToHashSet();

    /// <summary>Whether this file's import asks which of the catalogue's commitments no file lists: its last file's, once.</summary>
    public bool AsksWhatIsNoLongerListed(CatalogueFile file) =>
        _everyFileRead && ReferenceEquals(SameCatalogue(file).LastOrDefault(), file);
}
