<#
.SYNOPSIS
SecondLook offline install for the current user (Windows). Needs no network and no elevation.

.DESCRIPTION
Installs the companion from this bundle's wheels\ only (pip --no-index, any pip configuration on
the PC ignored) into %LOCALAPPDATA%\SecondLook\venv, puts a launcher secondlook.cmd into
%LOCALAPPDATA%\SecondLook\bin and that folder on the user's PATH, creates the log folder
%LOCALAPPDATA%\SecondLook\logs, registers the logon task (secondlook service install, which also
starts the companion) and writes the result of `secondlook doctor --json` to
%LOCALAPPDATA%\SecondLook\install-doctor.json for IT to collect.

Upgrading is running a newer bundle's install.ps1: the running companion is stopped, upgraded in
place and started again by the logon task. The user's config and pairing secret
(%APPDATA%\SecondLook) and the logs are never touched.

Exit status: 0 installed, 1 installed but the logon task could not be registered, 2 not installed.

.PARAMETER Python
python.exe of the bundle's Python version (bundle.json "python"); default: the py launcher's
-X.Y, else python.exe on PATH, else %LOCALAPPDATA%\Programs\Python\PythonXY\python.exe.

.PARAMETER Prefix
Install folder (default %LOCALAPPDATA%\SecondLook).

.PARAMETER NoService
Do not register the logon task.

.PARAMETER Force
Reinstall even when this version is installed already. Without it an up-to-date install
returns at once, so a logon script can run install.ps1 at every logon.

.EXAMPLE
powershell -NoProfile -ExecutionPolicy Bypass -File \\fileserver\secondlook\install.ps1
#>
[CmdletBinding()]
param(
    [string]$Python = "",
    [string]$Prefix = (Join-Path $env:LOCALAPPDATA "SecondLook"),
    [switch]$NoService,
    [switch]$Force
)

$ErrorActionPreference = "Stop"
$Here = Split-Path -Parent $MyInvocation.MyCommand.Path

function Fail([string]$Message) {
    [Console]::Error.WriteLine("install.ps1: $Message")
    exit 2
}

function Get-PythonVersion([string]$Exe) {
    try {
        $out = & $Exe -c "import sys; print('%d.%d' % sys.version_info[:2])" 2>$null
        if ($LASTEXITCODE -eq 0) { return ($out | Select-Object -First 1).Trim() }
    } catch { }
    return ""
}

function Find-Python([string]$Want) {
    $candidates = @()
    $py = Get-Command py.exe -ErrorAction SilentlyContinue
    if ($py) {
        try {
            $found = & $py.Source "-$Want" -c "import sys; print(sys.executable)" 2>$null
            if ($LASTEXITCODE -eq 0 -and $found) { $candidates += ($found | Select-Object -First 1).Trim() }
        } catch { }
    }
    $onPath = Get-Command python.exe -ErrorAction SilentlyContinue
    if ($onPath) { $candidates += $onPath.Source }
    $candidates += Join-Path $env:LOCALAPPDATA ("Programs\Python\Python" + $Want.Replace(".", "") + "\python.exe")
    $candidates += Join-Path $env:ProgramFiles ("Python" + $Want.Replace(".", "") + "\python.exe")
    foreach ($candidate in $candidates) {
        if ((Test-Path $candidate) -and ((Get-PythonVersion $candidate) -eq $Want)) { return $candidate }
    }
    return ""
}

$manifestPath = Join-Path $Here "bundle.json"
$wheels = Join-Path $Here "wheels"
if (-not (Test-Path $manifestPath) -or -not (Test-Path $wheels)) {
    Fail "run me from an unpacked bundle (bundle.json, wheels\)"
}
$bundle = Get-Content $manifestPath -Raw | ConvertFrom-Json
$want = $bundle.python
$version = $bundle.version

if ($Python -eq "") { $Python = Find-Python $want }
if ($Python -eq "" -or -not (Test-Path $Python)) {
    Fail "no Python $want found; install python.org Python $want (64-bit) or pass -Python C:\path\python.exe"
}
$have = Get-PythonVersion $Python
if ($have -ne $want) { Fail "this bundle is for Python $want; $Python is $have" }

$venv = Join-Path $Prefix "venv"
$bin = Join-Path $Prefix "bin"
$logs = Join-Path $Prefix "logs"
$secondlook = Join-Path $venv "Scripts\secondlook.exe"
$venvPython = Join-Path $venv "Scripts\python.exe"

# Never reach an index: no pip configuration, no index, only the bundle's wheels.
$env:PIP_CONFIG_FILE = "NUL"
$env:PIP_NO_INDEX = "1"
$env:PIP_DISABLE_PIP_VERSION_CHECK = "1"
foreach ($name in @("PIP_FIND_LINKS", "PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL")) {
    Remove-Item -Path "Env:$name" -ErrorAction SilentlyContinue
}

if (-not $Force -and (Test-Path $secondlook)) {
    $installed = ""
    try { $installed = (& $secondlook --version 2>$null | Select-Object -First 1) } catch { }
    if ("$installed".Trim() -eq "secondlook $version") {
        Write-Output "SecondLook $version is already installed in $Prefix"
        exit 0
    }
}
if (Test-Path $secondlook) {
    Write-Output "upgrading the SecondLook in $Prefix to $version"
    try { & $secondlook service stop *> $null } catch { }  # not running is fine
    if ((Get-PythonVersion $venvPython) -ne $want) {
        Remove-Item -Recurse -Force $venv  # another Python: start afresh (the user's files are elsewhere)
    }
}
foreach ($folder in @($Prefix, $bin, $logs)) {
    New-Item -ItemType Directory -Force -Path $folder | Out-Null
}
if (-not (Test-Path $venvPython)) {
    & $Python -m venv $venv
    if ($LASTEXITCODE -ne 0) { Fail "could not create $venv" }
}
& $venvPython -m pip install --quiet --no-index --find-links $wheels --upgrade "secondlook==$version"
if ($LASTEXITCODE -ne 0) { Fail "pip could not install secondlook $version from $wheels" }

# The launcher: only bin\ goes on PATH, not the venv's python.exe and pip.exe. It names the
# program relative to itself (%~dp0), so a user name outside ASCII cannot break it.
$launcher = Join-Path $bin "secondlook.cmd"
Set-Content -Path $launcher -Encoding ASCII -Value '@"%~dp0..\venv\Scripts\secondlook.exe" %*'
$userPath = [Environment]::GetEnvironmentVariable("Path", "User")
$entries = @()
if ($userPath) { $entries = $userPath.Split(";") | Where-Object { $_ -ne "" } }
if ($entries -notcontains $bin) {
    [Environment]::SetEnvironmentVariable("Path", (@($entries) + $bin) -join ";", "User")
    Write-Output "added $bin to the user's PATH (new sessions)"
}
$env:Path = "$bin;$env:Path"
Write-Output "SecondLook $version installed in $Prefix; logs in $logs"

$status = 0
if (-not $NoService) {
    & $secondlook service install
    if ($LASTEXITCODE -ne 0) {
        [Console]::Error.WriteLine("install.ps1: installed, but the logon task could not be registered; run ``secondlook service install`` as the user")
        $status = 1
    }
}
& $secondlook doctor --json --skip-engine | Set-Content -Path (Join-Path $Prefix "install-doctor.json") -Encoding UTF8
exit $status
