using Tracker.Domain;
using Tracker.Api.Infrastructure.Validation;
using Tracker.Api.Commitments;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Tracker.Domain.Commitments;

using Tracker.Domain.Documents;

namespace Tracker.Api.Catalogue;

/// <summary>
/// A catalogue of commitments: the documents they come from and, per commitment, its statement, restatements,
/// reported figures, assessments and evidence, each with the words and paragraph it comes from. JSON, camelCase, with
/// the same field names and enum spellings as the API (see data/catalogue and the README).
/// </summary>
public sealed record CatalogueFile(
    string Name,
    string? Description,
    IReadOnlyList<CatalogueDocument> Documents,
    IReadOnlyList<CatalogueCommitment> Commitments)
{
    /// <summary>The keys of the commitments a file lists, as the log keeps them (lower case, trimmed).</summary>
    public static HashSet<string> KeysOf(CatalogueFile catalogue) =>
        catalogue.Commitments.Where(c => c?.Key is { Length: > 0 }).Select(c => StreamIds.Normalise(c.Key.Trim())).ToHashSet();

    public static readonly JsonSerializerOptions Json = Strict(new(JsonSerializerDefaults.Web)
    {
        Converters = { new Infrastructure.Validation.StrictEnums() },
        RespectNullableAnnotations = true
    });

    /// <summary>
    /// Read as a request body is (StrictJson: numbers as JSON numbers kept exactly, a property given twice or unknown
    /// refused, field names as the API spells them, a yes/no, an enum or an amount without a default required), and a
    /// date without a default required too. Until 2026-12-07 a field left out took its type's default: a commitment
    /// without its kind was stated as financial, a figure without its number as 0, a deadline without its precision as a
    /// day (and then passed); and "KEY" was read as "key".
    /// </summary>
    private static JsonSerializerOptions Strict(JsonSerializerOptions options)
    {
        StrictJson.Apply(options);
        options.TypeInfoResolver = options.TypeInfoResolver!.WithAddedModifier(type =>
        {
            if (type.Kind != JsonTypeInfoKind.Object) return;
            foreach (var property in type.Properties)
            {
                if (property.PropertyType == typeof(DateOnly) && property.AssociatedParameter is { HasDefaultValue: false }) property.IsRequired = true;
            }
        });
        return options;
    }

    public const int MaxName = 200;

    /// <summary>
    /// The correlation id of the import's writes: `catalogue:` and the name as a key ("Global Coalition ..." is
    /// catalogue:global-coalition-...), with a digest of the name after it where the key would lose letters of another
    /// script (until 2026-12-07 "Коалиция" was catalogue:pledger, the key's stand-in for a name with no Latin letter).
    /// </summary>
    public string CorrelationId => "catalogue:" + (Slug.LosesLetters(Name)
        ? $"{(Slug.From(Name) is var latin && latin != "pledger" ? latin + "-" : "")}{Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(Name)))[..12]}"
        : Slug.From(Name));

    /// <summary>
    /// The catalogue in a file; or an <see cref="InvalidDataException"/> that says where and what is wrong in the API's
    /// words (the field as the JSON spells it, what it wants), never the reader's .NET types or buffer positions.
    /// </summary>
    public static CatalogueFile Read(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A file that cannot be read (gone, a broken link, no permission) is said so, and the folder's other files
            // still load (until 2026-12-06 it ended the import with a stack trace).
            throw new InvalidDataException($"The file cannot be read: {e.Message}", e);
        }
        // A byte order mark, which editors on Windows write, is no part of the JSON (until 2026-12-06 read as text, which
        // drops it; read as bytes, the reader refuses it).
        if (bytes.AsSpan().StartsWith("\uFEFF"u8)) bytes = bytes[3..];
        try
        {
            var read = JsonSerializer.Deserialize<CatalogueFile>(bytes, Json)
                       ?? throw new InvalidDataException("The file holds the JSON literal null, not a catalogue.");
            if (string.IsNullOrWhiteSpace(read.Name)) throw new InvalidDataException("'name' is required: name the catalogue.");
            // The name goes into the log, in the note of each revision the import records and in its correlation id: held
            // to a title's rules (until 2026-12-07 a NUL in it failed each write with the database's stack trace, and a
            // right-to-left override or 25,000 characters were recorded as they were).
            if (InputBounds.TextProblem(read.Name, multiLine: false) is { } unreadable) throw new InvalidDataException($"'name' {unreadable}");
            if (read.Name.Length > MaxName) throw new InvalidDataException($"'name' has at most {MaxName} characters.");
            // Either list may be left out: documents only, or commitments citing documents already registered.
            // A null entry stays one, for the importer to name by its place (until 2026-12-07 it failed the whole file
            // here with the runtime's NullReferenceException).
            return read with { Documents = read.Documents ?? [], Commitments = [.. (read.Commitments ?? []).Select(c => c?.AsTheApiRecordsIt()!)] };
        }
        catch (JsonException e)
        {
            // Said as a request body's mistakes are (a file cut short, one not UTF-8: JsonReadProblems), each field by its
            // whole path in the file (until 2026-12-06 an unknown or repeated nested field was named by its last part alone,
            // "'colour'", and a file cut short was "a value of the wrong type").
            var problem = new Microsoft.AspNetCore.Mvc.ProblemDetails { Title = "Invalid JSON format", Detail = e.Message };
            Infrastructure.JsonReadProblems.Rewrite(problem, typeof(CatalogueFile), new Infrastructure.SentBody(bytes, Json, _ => null));
            var detail = problem.Detail;
            if (e.Path is { Length: > 1 } where && problem.Extensions.TryGetValue("errors", out var map) &&
                map is Dictionary<string, string[]> { Count: 1 } errors && errors.Single() is var (field, said) && field != "body")
            {
                var place = where.TrimStart('$').TrimStart('.');
                var leaf = field.Split('.')[^1];
                var at = place.EndsWith(leaf, StringComparison.OrdinalIgnoreCase) ? place : place.Length == 0 ? field : $"{place}.{leaf}";
                detail = $"'{at}': {string.Join(" ", said)}";
            }
            // Said of a file, not of a request (until 2026-12-06 "The request has no such field", "send it whole").
            detail = (detail ?? "").Replace("The request has no such field", "The catalogue has no such field", StringComparison.Ordinal)
                .Replace("The body ", "The file ", StringComparison.Ordinal).Replace(": send it whole.", ".", StringComparison.Ordinal);
            // A file that is not one object ("[]", a string) is said to be what it must be, not "a value of the wrong type".
            if (e.Path is null or "$" && (detail.StartsWith("This value has the wrong type", StringComparison.Ordinal) ||
                                           detail.StartsWith("The file must be a JSON object", StringComparison.Ordinal)))
            {
                detail = "The file must hold one JSON object: { \"name\": ..., \"documents\": [...], \"commitments\": [...] }.";
            }
            var line = e.LineNumber is { } n ? $" (line {n + 1})" : "";
            throw new InvalidDataException($"not a valid catalogue{line}: {detail}", e);
        }
    }
}

public sealed record CatalogueDocument(
    string Key, string Title, DateOnly PublishedOn, string? Venue, string Kind, string? Url, bool Primary, string? Note,
    DatePrecision PublishedPrecision = DatePrecision.Day, bool PublishedOnInferred = false);

public sealed record CatalogueCommitment(
    string Key,
    string Title,
    CommitmentKind Kind,
    string LineOfEffort,
    IReadOnlyList<string> Actors,
    Provenance StatedIn,
    DateOnly? StatedOn,
    Target? Target,
    Deadline? Deadline,
    IReadOnlyList<CatalogueRestatement>? Restatements,
    IReadOnlyList<CatalogueProgress>? Progress,
    IReadOnlyList<CatalogueAssessment>? Assessments,
    IReadOnlyList<CatalogueSource>? Evidence,
    string? LedgerCurrency = null);

public static class CatalogueEntries
{
    /// <summary>
    /// An entry's names and units without the spaces around them, as the API's routes record them: until 2026-12-07 the
    /// importer kept them as written, so "coalition " was an actor and a dashboard group of its own beside "coalition",
    /// and a target in "people " made every report in "people" a unit-mismatch.
    /// </summary>
    public static CatalogueCommitment AsTheApiRecordsIt(this CatalogueCommitment c) => c with
    {
        Title = c.Title?.Trim()!,
        LineOfEffort = c.LineOfEffort?.Trim()!,
        Actors = c.Actors?.Select(a => a?.Trim()!).ToList()!,
        Target = c.Target.Normalised(),
        Restatements = c.Restatements?.Select(r => r is null ? null! : r with { NewTarget = r.NewTarget.Normalised() }).ToList(),
        Progress = c.Progress?.Select(p => p is null ? null! : p with { Unit = p.Unit?.Trim() }).ToList()
    };
}

public sealed record CatalogueRestatement(Provenance RestatedIn, DateOnly? RestatedOn, Target? NewTarget, Deadline? NewDeadline,
    string? Note);

public sealed record CatalogueProgress(decimal Figure, string? Unit, string? Currency, Comparator Comparator, DateOnly AsOf,
    ExchangeRate? ExchangeRate, string? Note, CatalogueSource Source, FigureStage? Stage = null);

public sealed record CatalogueAssessment(CommitmentStatus Status, DateOnly AssessedOn, string Rationale, CatalogueSource Source,
    DateOnly? EffectiveOn = null);

/// <summary>A source's own fields, held to what the API holds them to before they are joined into evidence.</summary>
public sealed class CatalogueSourceValidator : FluentValidation.AbstractValidator<CatalogueSource>
{
    public CatalogueSourceValidator()
    {
        RuleFor(x => x.DocumentKey).KeySpelling(Commitments.ProvenanceValidator.KeyMessage);
        RuleFor(x => x.Url).HttpAddress();
        RuleFor(x => x.Paragraph).MaximumCharacters(Commitments.ProvenanceValidator.MaxParagraph);
        RuleFor(x => x.Quote).MaximumCharacters(Commitments.ProvenanceValidator.MaxQuote);
        RuleFor(x => x.Note).MaximumCharacters(Commitments.EvidenceValidator.MaxNote);
    }
}

/// <summary>Where a fact comes from, with the words it uses: kept as evidence on the event.</summary>
public sealed record CatalogueSource(string? DocumentKey, string? Url, bool Primary, string? Paragraph, string? Quote,
    DateOnly? On, string? Note)
{
    public Evidence ToEvidence(DateOnly? on = null)
    {
        // A paragraph named without its words is kept as the place alone (until 2026-12-07 it was dropped without a word).
        var words = Quote is null
            ? Paragraph is null ? null : $"paragraph {Paragraph}"
            : $"{(Paragraph is null ? "" : $"paragraph {Paragraph}: ")}\u201c{Quote}\u201d";
        var note = string.Join(" ", new[] { Note, words }.Where(s => !string.IsNullOrWhiteSpace(s)));
        // Keys are stored as registered (lower case), whatever case the file cites them in.
        return new Evidence(DocumentKey is null ? null : StreamIds.Normalise(DocumentKey), Url, Primary, On ?? on,
            note.Length == 0 ? null : note);
    }

    /// <summary>
    /// The evidence as the log holds it: as <see cref="ToEvidence"/> words it and <paramref name="dated"/> dates it (a
    /// document's day for evidence without one of its own), or as imports before 2026-12-07 did (undated, and before that
    /// with a paragraph without a quote left out) where the log holds that one and not this, so that a file imported again
    /// is not taken for a changed one and its evidence attached a second time.
    /// </summary>
    public Evidence ToEvidenceAsIn(IEnumerable<Evidence> log, DateOnly? on = null, Func<Evidence, Evidence>? dated = null)
    {
        var evidence = ToEvidence(on);
        var forms = new List<Evidence> { dated?.Invoke(evidence) ?? evidence, evidence };
        if (Quote is null && Paragraph is not null) forms.Add((this with { Paragraph = null }).ToEvidence(on));
        var held = log.Select(x => x with { Primary = evidence.Primary }).ToHashSet();
        return forms.FirstOrDefault(held.Contains) ?? forms[0];
    }
}
