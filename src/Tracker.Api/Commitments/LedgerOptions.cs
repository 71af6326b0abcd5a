using Microsoft.Extensions.Options;
using Tracker.Domain;
using Tracker.Domain.Commitments;

namespace Tracker.Api.Commitments;

/// <summary>
/// Configuration section "Ledger": what a commitment's money is counted in when its statement names no ledger currency
/// and its target is not money. The currency is written into the statement itself (its <c>ledgerCurrency</c>), so a
/// change of the setting changes no commitment already stated: a statement that names none replays as counted in USD,
/// as every statement stored before the setting did.
/// </summary>
public sealed class LedgerOptions
{
    public const string Section = "Ledger";

    /// <summary>An active ISO 4217 code; USD by default.</summary>
    public string DefaultCurrency { get; set; } = Commitment.DefaultLedgerCurrency;

    /// <summary>
    /// The ledger currency a statement records: the one it names; else, where its target is not money, the default when
    /// it is not USD (which a statement naming none already means).
    /// </summary>
    public string? ForStatement(string? named, Target? target) =>
        named ?? (target is { IsMoney: true } || DefaultCurrency == Commitment.DefaultLedgerCurrency ? null : DefaultCurrency);

    public IEnumerable<string> Problems()
    {
        if (Currencies.IsIso4217(DefaultCurrency)) yield break;
        // What a template's unset variable gives (compose's ${VAR:-}).
        if (string.IsNullOrWhiteSpace(DefaultCurrency))
        {
            yield return $"{Section}:DefaultCurrency is set but empty: give an ISO 4217 code in use (USD, EUR...), or leave it unset (USD).";
            yield break;
        }
        yield return Currencies.ReplacedBy(DefaultCurrency) is { } successor
            ? $"{Section}:DefaultCurrency '{DefaultCurrency}' is no longer in use (replaced by {successor})."
            : $"{Section}:DefaultCurrency '{DefaultCurrency}' is not an ISO 4217 code in use, in capitals (USD, EUR...).";
    }

    public sealed class Validation : IValidateOptions<LedgerOptions>
    {
        public ValidateOptionsResult Validate(string? name, LedgerOptions options) =>
            options.Problems().ToList() is { Count: > 0 } problems ? ValidateOptionsResult.Fail(problems) : ValidateOptionsResult.Success;
    }
}
