using FluentValidation;
using JasperFx;
using JasperFx.CodeGeneration;
using JasperFx.CodeGeneration.Frames;
using Wolverine.Http;
using Wolverine.Http.CodeGen;

namespace Tracker.Api.Infrastructure.Validation;

/// <summary>
/// Puts request validation in front of every endpoint whose request body type has validators registered, ending the
/// chain with a 400 validation problem. WolverineFx.Http.FluentValidation does this upstream, but the package source
/// here lacks it; this is the same idea in our own few lines, and it shows in the OpenAPI document.
/// </summary>
public sealed class FluentValidationPolicy : IHttpPolicy
{
    public void Apply(IReadOnlyList<HttpChain> chains, GenerationRules rules, IServiceContainer container)
    {
        foreach (var chain in chains.Where(c => c.HasRequestType))
        {
            var requestType = chain.RequestType!;
            if (!container.RegistrationsFor(typeof(IValidator<>).MakeGenericType(requestType)).Any()) continue;

            chain.Metadata.ProducesValidationProblem();

            var validate = typeof(RequestValidation).GetMethod(nameof(RequestValidation.Validate))!
                .MakeGenericMethod(requestType);
            var call = new MethodCall(typeof(RequestValidation), validate) { CommentText = "Validate the request body" };
            chain.Middleware.InsertRange(0, [call, new MaybeEndWithResultFrame(call.ReturnVariable!)]);
        }
    }
}
