package thumbnail

// ParseVTT exposes the test parser of storyboard tracks to the external
// tests.
var ParseVTT = parseVTT
