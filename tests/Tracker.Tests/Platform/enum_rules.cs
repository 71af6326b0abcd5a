using Tracker.Api.Commitments;
using Tracker.Api.Commitments.Reporting;
using Tracker.Domain.Commitments;

namespace Tracker.Tests.Platform;

/// <summary>
/// A request's enums are read by name only (StrictEnums), so an undefined one reaches the rules only from code that builds
/// a request itself, such as the catalogue importer: the rules still refuse it, with FluentValidation's own wording.
/// </summary>
public sealed class enum_rules
{
    [Fact]
    public void a_report_with_an_undefined_comparator_is_refused_and_one_without_a_stage_is_not()
    {
        var report = new ReportProgressRequest(10, "people", null, (Comparator)42, new DateOnly(2025, 1, 1), null, null,
            new Evidence(null, "https://example.org/report", true));

        var refused = new ReportProgressRequest.Validator().Validate(report);

        refused.Errors.ShouldHaveSingleItem().ErrorMessage.ShouldEndWith("has a range of values which does not include '42'.");
        new ReportProgressRequest.Validator().Validate(report with { Comparator = Comparator.Exactly }).IsValid.ShouldBeTrue();
    }

    [Fact]
    public void a_deadline_with_an_undefined_precision_is_refused()
    {
        var refused = new DeadlineValidator().Validate(new Deadline(new DateOnly(2026, 6, 30), (DeadlinePrecision)9));

        refused.Errors.ShouldContain(e => e.ErrorMessage.EndsWith("has a range of values which does not include '9'."));
    }
}
