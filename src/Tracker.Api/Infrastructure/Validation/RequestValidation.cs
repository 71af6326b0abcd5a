using FluentValidation;
using Microsoft.AspNetCore.Http;
using Wolverine.Http;

namespace Tracker.Api.Infrastructure.Validation;

/// <summary>Runs the FluentValidation validators of a request type; the generated endpoint code calls it first.</summary>
public static class RequestValidation
{
    public static async Task<IResult> Validate<T>(IEnumerable<IValidator<T>> validators, T? request, HttpContext context)
    {
        if (request is null)
        {
            return Results.ValidationProblem(new Dictionary<string, string[]> { ["body"] = ["A JSON object is required."] },
                title: "A request body is required", detail: "The body was empty or the JSON literal null.",
                type: ProblemTypes.Validation);
        }

        var failures = InputBounds.Check(request)
            .Select(f => new FluentValidation.Results.ValidationFailure(f.Field, $"{f.Field} {f.Message}")).ToList();
        foreach (var validator in validators)
        {
            var result = await validator.ValidateAsync(request, context.RequestAborted);
            failures.AddRange(result.Errors);
        }

        if (failures.Count == 0) return WolverineContinue.Result();

        var errors = failures
            .GroupBy(f => ToCamelCase(f.PropertyName))
            .ToDictionary(g => g.Key, g => g.Select(f => f.ErrorMessage).Distinct().ToArray());
        return Results.ValidationProblem(errors, title: "The request is not valid", type: ProblemTypes.Validation);
    }

    // The field map names fields as the JSON body spells them ("publishedOn", "target.amount").
    private static string ToCamelCase(string propertyPath) => string.Join('.',
        propertyPath.Split('.').Select(p => p.Length == 0 ? p : char.ToLowerInvariant(p[0]) + p[1..]));
}
