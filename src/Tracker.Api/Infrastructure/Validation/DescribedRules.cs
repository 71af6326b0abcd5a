using FluentValidation;
using FluentValidation.Validators;
using Tracker.Domain;

namespace Tracker.Api.Infrastructure.Validation;

/// <summary>
/// Rules that a predicate (<c>Must</c>) would hide from the OpenAPI document, as validators whose limits it can read
/// (ValidationConstraints): a slug's spelling, one of a fixed set of words, at most so many items. Each passes a null,
/// which the rule that requires the field answers.
/// </summary>
public static class DescribedRules
{
    /// <summary>A key's spelling (<see cref="Keys.IsSlug"/>), told as <see cref="Keys.SlugRule"/> for the field named.</summary>
    public static IRuleBuilderOptions<T, string?> Slug<T>(this IRuleBuilder<T, string?> rule, string field) =>
        rule.SetValidator(new SlugValidator<T>()).WithMessage(Keys.SlugRule(field));

    /// <summary>A key as a request may spell one that names a registered key: any case (<see cref="StreamIds.Normalise"/>).</summary>
    public static IRuleBuilderOptions<T, string?> KeySpelling<T>(this IRuleBuilder<T, string?> rule, string message) =>
        rule.SetValidator(new SlugValidator<T>(anyCase: true)).WithMessage(message);

    /// <summary>An ISO 4217 currency code (<see cref="Currencies.IsIso4217"/>), listed by the document.</summary>
    public static IRuleBuilderOptions<T, string?> CurrencyCode<T>(this IRuleBuilder<T, string?> rule) =>
        rule.SetValidator(new CurrencyCodeValidator<T>());

    /// <summary>A ledger currency (a statement's or a revision's): an active code, a replaced one said with its successor.</summary>
    public static IRuleBuilderOptions<T, string?> LedgerCurrencyCode<T>(this IRuleBuilder<T, string?> rule) =>
        rule.CurrencyCode().WithMessage((_, code) => Domain.Currencies.ReplacedBy(code) is { } successor
            ? $"ledgerCurrency {code} is no longer in use (replaced by {successor}): count the money in {successor}."
            : "ledgerCurrency must be an ISO 4217 code such as USD or EUR.");

    /// <summary>One of <paramref name="words"/>, exactly as written there.</summary>
    public static IRuleBuilderOptions<T, string?> OneOf<T>(this IRuleBuilder<T, string?> rule, IReadOnlyList<string> words, string field) =>
        rule.SetValidator(new OneOfValidator<T>(words)).WithMessage($"{field} must be one of: {string.Join(", ", words)}.");

    /// <summary>At most <paramref name="max"/> items.</summary>
    public static IRuleBuilderOptions<T, IReadOnlyList<TItem>?> MaximumCount<T, TItem>(this IRuleBuilder<T, IReadOnlyList<TItem>?> rule, int max) =>
        rule.SetValidator(new MaximumCountValidator<T, TItem>(max));
}

/// <summary>
/// A slug (<see cref="Keys.Pattern"/>, at most <see cref="Keys.MaxLength"/> characters), or with <c>anyCase</c> one in
/// any case, read by the document as a pattern.
/// </summary>
public sealed class SlugValidator<T>(bool anyCase = false) : PropertyValidator<T, string?>, IRegularExpressionValidator, ILengthValidator
{
    public int Min => 1;

    public int Max => Keys.MaxLength;

    public string Expression => anyCase ? "^[A-Za-z0-9]+(-[A-Za-z0-9]+)*$" : Keys.Pattern;

    public override string Name => "SlugValidator";

    public override bool IsValid(ValidationContext<T> context, string? value) =>
        value is null || Keys.IsSlug(anyCase ? StreamIds.Normalise(value) : value);
}

/// <summary>One of a fixed set of words, read by the document as an enum.</summary>
public sealed class OneOfValidator<T>(IReadOnlyList<string> words) : PropertyValidator<T, string?>, IWordSet
{
    public IReadOnlyList<string> Words { get; } = words;

    public override string Name => "OneOfValidator";

    public override bool IsValid(ValidationContext<T> context, string? value) => value is null || Words.Contains(value, StringComparer.Ordinal);
}

/// <summary>At most so many items, read by the document as maxItems.</summary>
public sealed class MaximumCountValidator<T, TItem>(int max) : PropertyValidator<T, IReadOnlyList<TItem>?>, IItemLimit
{
    public int Max { get; } = max;

    public override string Name => "MaximumCountValidator";

    public override bool IsValid(ValidationContext<T> context, IReadOnlyList<TItem>? items) => items is null || items.Count <= Max;
}

/// <summary>A limit of characters as a reader counts them (TextLength), and the code points it admits.</summary>
public interface ICharacterLimit
{
    int Max { get; }
    int MaxCodePoints { get; }
}

/// <summary>A fixed set of words a value is one of.</summary>
public interface IWordSet
{
    IReadOnlyList<string> Words { get; }
}

/// <summary>The most items a list may hold.</summary>
public interface IItemLimit
{
    int Max { get; }
}

/// <summary>
/// An active ISO 4217 code, listed by the document as an enum (until 2026-12-06 it said only the shape, three capital
/// letters, and a client learnt from a 400 that XXX or ABC is none the service takes).
/// </summary>
public sealed class CurrencyCodeValidator<T> : PropertyValidator<T, string?>, IWordSet
{
    public IReadOnlyList<string> Words => Currencies.Codes;

    public override string Name => "CurrencyCodeValidator";

    public override bool IsValid(ValidationContext<T> context, string? value) => value is null || Currencies.IsIso4217(value);
}
