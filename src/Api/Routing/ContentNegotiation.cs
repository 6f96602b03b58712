using Microsoft.Net.Http.Headers;

namespace Nocturne.Api.Routing;

/// <summary>
/// Picks a response format from <c>Accept</c> the way the reference's Express <c>res.format</c>
/// does: without an Accept header the first offer wins; otherwise the offer whose most specific
/// matching range has the highest quality, ties going to the more specific range, then to the
/// earlier range in Accept, then to the earlier offer. Null when nothing offered is acceptable.
/// </summary>
public static class ContentNegotiation
{
    public static string? Choose(HttpRequest request, params string[] offers)
    {
        var header = request.Headers.Accept.ToString();
        if (string.IsNullOrWhiteSpace(header))
        {
            return offers[0];
        }

        if (!MediaTypeHeaderValue.TryParseList(request.Headers.Accept, out var ranges) || ranges.Count == 0)
        {
            return offers[0];
        }

        (string Offer, double Quality, int Specificity, int RangeIndex, int OfferIndex)? best = null;
        for (var offerIndex = 0; offerIndex < offers.Length; offerIndex++)
        {
            var offer = new MediaTypeHeaderValue(offers[offerIndex]);
            (double Quality, int Specificity, int RangeIndex)? match = null;
            for (var rangeIndex = 0; rangeIndex < ranges.Count; rangeIndex++)
            {
                var range = ranges[rangeIndex];
                if (Specificity(range, offer) is not { } specificity)
                {
                    continue;
                }

                var quality = range.Quality ?? 1;
                if (match is null || specificity > match.Value.Specificity
                    || (specificity == match.Value.Specificity && quality > match.Value.Quality))
                {
                    match = (quality, specificity, rangeIndex);
                }
            }

            if (match is not { Quality: > 0 } m)
            {
                continue;
            }

            var candidate = (offers[offerIndex], m.Quality, m.Specificity, m.RangeIndex, offerIndex);
            if (best is null || IsBetter(candidate, best.Value))
            {
                best = candidate;
            }
        }

        return best?.Offer;
    }

    private static bool IsBetter((string, double Quality, int Specificity, int RangeIndex, int OfferIndex) a, (string, double Quality, int Specificity, int RangeIndex, int OfferIndex) b) =>
        a.Quality != b.Quality ? a.Quality > b.Quality
        : a.Specificity != b.Specificity ? a.Specificity > b.Specificity
        : a.RangeIndex != b.RangeIndex ? a.RangeIndex < b.RangeIndex
        : a.OfferIndex < b.OfferIndex;

    // 4 for an exact type/subtype, 2 for type/*, 0 for */*; null when the range does not cover the offer.
    private static int? Specificity(MediaTypeHeaderValue range, MediaTypeHeaderValue offer)
    {
        if (range.MatchesAllTypes)
        {
            return 0;
        }

        if (!range.Type.Equals(offer.Type, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        if (range.MatchesAllSubTypes)
        {
            return 2;
        }

        return range.SubType.Equals(offer.SubType, StringComparison.OrdinalIgnoreCase) ? 4 : null;
    }
}
