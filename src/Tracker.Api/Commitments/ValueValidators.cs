using Tracker.Api.Infrastructure.Validation;
using FluentValidation;
using Tracker.Domain;
using Tracker.Domain.Commitments;

namespace Tracker.Api.Commitments;

// Shape rules for the value types requests share. Rules that need the commitment's state live in Tracker.Domain.

public sealed class MoneyValidator : AbstractValidator<Money>
{
    public MoneyValidator()
    {
        RuleFor(x => x.Amount).GreaterThan(0);
        // Pledged money is summed into totals, which stay exact only for amounts kept to a few places (Rules.PledgedMoneyPlaces).
        RuleFor(x => x.Amount).Must(amount => Decimals.Normal(amount).Scale <= Rules.PledgedMoneyPlaces)
            .WithMessage($"amount has at most {Rules.PledgedMoneyPlaces} decimal places (a millionth of a unit, below every currency's minor unit): pledged money is summed into totals that stay exact.");
        // Required here (money has a currency), where the code's own rule passes a null.
        RuleFor(x => x.Currency).Cascade(CascadeMode.Stop).NotNull().WithMessage("currency must be an ISO 4217 code such as USD or EUR.")
            .CurrencyCode().WithMessage((_, code) => Currencies.Refusal("currency", code));
    }
}

public sealed class ExchangeRateValidator : AbstractValidator<ExchangeRate>
{
    public const decimal MaxRate = 1_000_000m;

    /// <summary>A billionth of a ledger unit per unit: below every ISO 4217 cross rate, and above one that values a pledge at nothing.</summary>
    public const decimal MinRate = 0.000000001m;

    public ExchangeRateValidator()
    {
        // A million ledger units per unit: above every ISO 4217 cross rate, and it keeps amount x rate inside decimal.
        // One rule, stopping at its first refusal, so that the OpenAPI document can state both bounds (until 2026-12-06 the
        // least rate held under a condition, and the document stated only "above 0").
        RuleFor(x => x.Rate).Cascade(CascadeMode.Stop).GreaterThan(0).LessThanOrEqualTo(MaxRate).GreaterThanOrEqualTo(MinRate)
            .WithMessage($"'rate' must be at least {MinRate.ToString(System.Globalization.CultureInfo.InvariantCulture)} ledger units per unit: below every currency's cross rate, a rate values an amount at nothing.");
        RuleFor(x => x.On).NotEqual(default(DateOnly)).WithMessage("The exchange rate needs the date it applies to.");
        RuleFor(x => x.Source).MaximumCharacters(500);
    }
}

public sealed class TargetValidator : AbstractValidator<Target>
{
    public TargetValidator()
    {
        // Money to raise is more than nothing; a count may go down to none ("close every camp": from a baseline to 0).
        // Never below 0, a rule without condition, which the OpenAPI document states (until 2026-12-06 it stated none); money
        // is also not 0, which holds for money alone. Money below 0 is told it must be above 0, as before.
        RuleFor(x => x.Amount).GreaterThanOrEqualTo(0)
            .WithMessage(t => t.Unit is null ? "'{PropertyName}' must be greater than '0'." : "'{PropertyName}' must be greater than or equal to '0'.");
        RuleFor(x => x.Amount).NotEqual(0).When(x => x.Unit is null)
            .WithMessage("A money target's amount must be greater than 0 (only a quantity counts down to 0, from a baseline).");
        // Money to raise is money as pledged money is: to a millionth of a unit (until 2026-12-06 a target took any number of
        // places, and its progress was a fraction of an amount no pledge could be written in).
        RuleFor(x => x.Amount).Must(amount => Decimals.Normal(amount).Scale <= Rules.PledgedMoneyPlaces).When(x => x.Currency is not null)
            .WithMessage($"A money target's amount has at most {Rules.PledgedMoneyPlaces} decimal places (a millionth of a unit), as pledged money has.");
        RuleFor(x => x.Baseline).NotNull().When(x => x.Unit is not null && x.Amount == 0)
            .WithMessage("A target of 0 is a reduction: give the baseline it counts down from (200 camps to 0).");
        RuleFor(x => x).Must(t => (t.Currency is null) != (t.Unit is null))
            .WithName("currency").WithMessage("A target is money (give currency) or a quantity (give unit), exactly one of them.");
        RuleFor(x => x.Currency).CurrencyCode()
            .WithMessage((_, code) => Currencies.Refusal("currency", code));
        RuleFor(x => x.Unit).NotEmpty().When(x => x.Unit is not null).WithMessage("unit, when given, names what is counted (people, kilometres).")
            .MaximumCharacters(50);
        RuleFor(x => x.Baseline).GreaterThanOrEqualTo(0);
        // Money is measured from nothing raised: a baseline was kept and shown, and the progress ignored it (until 2026-12-06).
        RuleFor(x => x.Baseline).Null().When(x => x.Currency is not null && x.Unit is null)
            .WithMessage("baseline applies to a counted target (from 200 camps to 0); a money target counts from nothing raised: leave it out.");
        RuleFor(x => x.Baseline).NotEqual(x => x.Amount).When(x => x.Baseline is not null && x.Unit is not null)
            .WithMessage("A baseline equal to the target leaves nothing to measure (a reduction has its baseline above the target).");
    }
}

public sealed class DeadlineValidator : AbstractValidator<Deadline>
{
    public DeadlineValidator()
    {
        RuleFor(x => x.Precision).IsDefined();
        RuleFor(x => x.Date).NotNull().When(x => x.Precision != DeadlinePrecision.OpenEnded)
            .WithMessage("A deadline needs a date unless its precision is open-ended.");
        RuleFor(x => x.Date).Null().When(x => x.Precision == DeadlinePrecision.OpenEnded)
            .WithMessage("An open-ended deadline has no date; say what the text says in description.");
        RuleFor(x => x.Description).NotEmpty().When(x => x.Precision == DeadlinePrecision.OpenEnded)
            .WithMessage("An open-ended deadline needs a description, such as \"as soon as circumstances permit\".");
        RuleFor(x => x.Date).Must(d => d!.Value.Day == 1).When(x => x.Date is not null && x.Precision
                is DeadlinePrecision.Month or DeadlinePrecision.Quarter or DeadlinePrecision.Season or DeadlinePrecision.HalfYear)
            .WithMessage("A month, quarter, season or half-year deadline is given by the first day of its period.");
        RuleFor(x => x.Date).Must(d => d!.Value.Month is 1 or 7).When(x => x.Date is not null && x.Precision == DeadlinePrecision.HalfYear)
            .WithMessage("A half-year starts on the first of January or July.");
        RuleFor(x => x.Date).Must(d => d!.Value.Month % 3 == 0).When(x => x.Date is not null && x.Precision == DeadlinePrecision.Season)
            .WithMessage("A season starts on the first of March, June, September or December.");
        RuleFor(x => x.Date).Must(d => d!.Value.Month % 3 == 1).When(x => x.Date is not null && x.Precision == DeadlinePrecision.Quarter)
            .WithMessage("A quarter starts on the first of January, April, July or October.");
        RuleFor(x => x.Date).Must(d => d!.Value is { Month: 1, Day: 1 }).When(x => x.Date is not null && x.Precision == DeadlinePrecision.Year)
            .WithMessage("A year deadline is given by the first of January of its year.");
        RuleFor(x => x.Description).MaximumCharacters(300);
    }
}

public sealed class ProvenanceValidator : AbstractValidator<Provenance>
{
    /// <summary>The most characters a paragraph's number or name and a verbatim quote hold.</summary>
    public const int MaxParagraph = 50, MaxQuote = 2000;

    public const string KeyMessage =
        "documentKey is not a document key: at most 100 letters, digits and hyphens, as the document was registered (any case).";

    public ProvenanceValidator()
    {
        // Keys are one whatever their case, as in the routes: the write stores the registered (lower-case) spelling.
        RuleFor(x => x.DocumentKey).NotEmpty().KeySpelling(KeyMessage);
        RuleFor(x => x.Paragraph).MaximumCharacters(MaxParagraph);
        // Each rule its own message: until 2026-12-06 a quote too long was told it was required.
        RuleFor(x => x.Quote).NotEmpty().WithMessage("The verbatim quote is required.").MaximumCharacters(MaxQuote);
    }
}

public sealed class EvidenceValidator : AbstractValidator<Evidence>
{
    /// <summary>The most characters a source's note holds.</summary>
    public const int MaxNote = 2000;

    public EvidenceValidator()
    {
        RuleFor(x => x).Must(e => e.DocumentKey is not null || e.Url is not null)
            .WithName("documentKey").WithMessage("A source needs a documentKey of a registered document, a url, or both.");
        RuleFor(x => x.DocumentKey).KeySpelling(ProvenanceValidator.KeyMessage);
        RuleFor(x => x.Url).HttpAddress();
        RuleFor(x => x.Note).MaximumCharacters(MaxNote);
    }
}
