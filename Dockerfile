# Builds the API the same way the README does (restore with the repo's NuGet.config, then publish).
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY . .
RUN dotnet restore src/Tracker.Api/Tracker.Api.csproj \
 && dotnet publish src/Tracker.Api/Tracker.Api.csproj -c Release --no-restore -o /app

FROM mcr.microsoft.com/dotnet/aspnet:10.0
WORKDIR /app
COPY --from=build /app .
ENV ASPNETCORE_URLS=http://+:8080
EXPOSE 8080
ENTRYPOINT ["dotnet", "Tracker.Api.dll"]
