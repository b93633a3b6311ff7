package asset

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/disintegration/imaging"

	"github.com/apiary/apiary/server/httperr"
	"github.com/apiary/apiary/storage/blob"
)

// maxImagePixels bounds the images processImage decodes (a small file can
// declare a huge canvas).
const maxImagePixels = 40_000_000

// maxImageBytes bounds the file read for processing.
const maxImageBytes = 64 << 20

// filter applies one named transformation with its query argument.
type filter func(img image.Image, arg string) (image.Image, error)

// filterOrder is the order filters apply in, whatever the query order.
var filterOrder = []string{"crop", "cropToSize", "resize", "rotate", "rotate90", "rotate180", "rotate270", "flipHorizontal",
	"flipVertical", "transpose", "transverse", "brightness", "contrast", "saturation", "gamma", "colorBalance", "grayscale",
	"sepia", "invert", "threshold", "gaussianBlur", "gaussianblur", "boxblur", "sharpen", "emboss", "sobel", "edgedetection"}

var filters = map[string]filter{
	"resize": func(img image.Image, a string) (image.Image, error) {
		n, method, err := numsAndWord(a, 2)
		if err != nil {
			return nil, err
		}
		rf, ok := resampling[method]
		if !ok {
			return nil, fmt.Errorf("unknown resize method %q", method)
		}
		return imaging.Resize(img, int(n[0]), int(n[1]), rf), nil
	},
	"crop": func(img image.Image, a string) (image.Image, error) {
		n, _, err := numsAndWord(a, 4)
		if err != nil {
			return nil, err
		}
		return imaging.Crop(img, image.Rect(int(n[0]), int(n[1]), int(n[2]), int(n[3]))), nil
	},
	"cropToSize": func(img image.Image, a string) (image.Image, error) {
		n, anchor, err := numsAndWord(a, 2)
		if err != nil {
			return nil, err
		}
		an, ok := anchors[anchor]
		if !ok {
			return nil, fmt.Errorf("unknown anchor %q", anchor)
		}
		return imaging.CropAnchor(img, int(n[0]), int(n[1]), an), nil
	},
	"rotate": func(img image.Image, a string) (image.Image, error) {
		n, _, err := numsAndWord(a, 1)
		if err != nil {
			return nil, err
		}
		return imaging.Rotate(img, n[0], color.Transparent), nil
	},
	"rotate90":       noArg(func(i image.Image) image.Image { return imaging.Rotate90(i) }),
	"rotate180":      noArg(func(i image.Image) image.Image { return imaging.Rotate180(i) }),
	"rotate270":      noArg(func(i image.Image) image.Image { return imaging.Rotate270(i) }),
	"flipHorizontal": noArg(func(i image.Image) image.Image { return imaging.FlipH(i) }),
	"flipVertical":   noArg(func(i image.Image) image.Image { return imaging.FlipV(i) }),
	"transpose":      noArg(func(i image.Image) image.Image { return imaging.Transpose(i) }),
	"transverse":     noArg(func(i image.Image) image.Image { return imaging.Transverse(i) }),
	"grayscale":      noArg(func(i image.Image) image.Image { return imaging.Grayscale(i) }),
	"invert":         noArg(func(i image.Image) image.Image { return imaging.Invert(i) }),
	"sepia":          noArg(sepia),
	"brightness":     oneNum(imaging.AdjustBrightness),
	"contrast":       oneNum(imaging.AdjustContrast),
	"saturation":     oneNum(imaging.AdjustSaturation),
	"gamma":          oneNum(imaging.AdjustGamma),
	"gaussianBlur":   oneNum(imaging.Blur),
	"gaussianblur":   oneNum(imaging.Blur),
	"boxblur":        oneNum(imaging.Blur),
	"sharpen":        optNum(1, imaging.Sharpen),
	"threshold": oneNum(func(i image.Image, v float64) *image.NRGBA {
		return imaging.AdjustFunc(imaging.Grayscale(i), func(c color.NRGBA) color.NRGBA {
			if float64(c.R)/255*100 >= v {
				return color.NRGBA{255, 255, 255, c.A}
			}
			return color.NRGBA{0, 0, 0, c.A}
		})
	}),
	"colorBalance": func(img image.Image, a string) (image.Image, error) {
		n, _, err := numsAndWord(a, 3)
		if err != nil {
			return nil, err
		}
		scale := func(v uint8, pct float64) uint8 { return uint8(min(255, max(0, float64(v)*(1+pct/100)))) }
		return imaging.AdjustFunc(img, func(c color.NRGBA) color.NRGBA {
			return color.NRGBA{scale(c.R, n[0]), scale(c.G, n[1]), scale(c.B, n[2]), c.A}
		}), nil
	},
	"emboss": noArg(kernel([9]float64{-1, -1, 0, -1, 1, 1, 0, 1, 1})),
	"sobel":  noArg(kernel([9]float64{-1, -2, -1, 0, 0, 0, 1, 2, 1})),
	"edgedetection": func(img image.Image, _ string) (image.Image, error) {
		return kernel([9]float64{-1, -1, -1, -1, 8, -1, -1, -1, -1})(img), nil
	},
}

var resampling = map[string]imaging.ResampleFilter{"": imaging.Lanczos, "NearestNeighbor": imaging.NearestNeighbor,
	"Box": imaging.Box, "Linear": imaging.Linear, "Cubic": imaging.CatmullRom, "Lanczos": imaging.Lanczos}

var anchors = map[string]imaging.Anchor{"": imaging.Center, "Center": imaging.Center, "TopLeft": imaging.TopLeft, "Top": imaging.Top,
	"TopRight": imaging.TopRight, "Left": imaging.Left, "Right": imaging.Right, "BottomLeft": imaging.BottomLeft,
	"Bottom": imaging.Bottom, "BottomRight": imaging.BottomRight}

func noArg(fn func(image.Image) image.Image) filter {
	return func(img image.Image, _ string) (image.Image, error) { return fn(img), nil }
}

func oneNum(fn func(image.Image, float64) *image.NRGBA) filter {
	return func(img image.Image, a string) (image.Image, error) {
		n, _, err := numsAndWord(a, 1)
		if err != nil {
			return nil, err
		}
		return fn(img, n[0]), nil
	}
}

func optNum(def float64, fn func(image.Image, float64) *image.NRGBA) filter {
	return func(img image.Image, a string) (image.Image, error) {
		if a == "" || a == "true" {
			return fn(img, def), nil
		}
		return oneNum(fn)(img, a)
	}
}

func kernel(k [9]float64) func(image.Image) image.Image {
	return func(img image.Image) image.Image { return imaging.Convolve3x3(img, k, nil) }
}

func sepia(img image.Image) image.Image {
	return imaging.AdjustFunc(img, func(c color.NRGBA) color.NRGBA {
		r, g, b := float64(c.R), float64(c.G), float64(c.B)
		cl := func(v float64) uint8 { return uint8(min(255, v)) }
		return color.NRGBA{cl(.393*r + .769*g + .189*b), cl(.349*r + .686*g + .168*b), cl(.272*r + .534*g + .131*b), c.A}
	})
}

// numsAndWord parses "n1,n2,...[,Word]" with exactly n numbers first.
func numsAndWord(a string, n int) ([]float64, string, error) {
	parts := strings.Split(a, ",")
	if len(parts) < n || len(parts) > n+1 {
		return nil, "", fmt.Errorf("want %d numbers", n)
	}
	out := make([]float64, n)
	for i := 0; i < n; i++ {
		v, err := strconv.ParseFloat(strings.TrimSpace(parts[i]), 64)
		if err != nil {
			return nil, "", fmt.Errorf("%q is not a number", parts[i])
		}
		out[i] = v
	}
	word := ""
	if len(parts) == n+1 {
		word = strings.TrimSpace(parts[n])
	}
	return out, word, nil
}

// transform decodes an image, applies the filters of the query and
// encodes it again: PNG stays PNG, everything else becomes JPEG.
func transform(r io.Reader, q url.Values) ([]byte, string, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxImageBytes+1))
	if err != nil {
		return nil, "", err
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil || len(data) > maxImageBytes {
		return nil, "", httperr.New(http.StatusBadRequest, "not an image", "the file does not decode as an image")
	}
	if cfg.Width*cfg.Height > maxImagePixels {
		return nil, "", httperr.New(http.StatusBadRequest, "image too large", fmt.Sprintf("%dx%d is over %d pixels", cfg.Width, cfg.Height, maxImagePixels))
	}
	img, err := imaging.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, "", httperr.New(http.StatusBadRequest, "not an image", "the file does not decode as an image: "+err.Error())
	}
	for k := range q {
		if _, ok := filters[k]; !ok && k != "processImage" && k != "file" && k != "index" && k != "token" {
			return nil, "", httperr.New(http.StatusBadRequest, "unknown image filter", "no filter "+k)
		}
	}
	for _, name := range filterOrder {
		if !q.Has(name) {
			continue
		}
		if img, err = filters[name](img, q.Get(name)); err != nil {
			return nil, "", httperr.New(http.StatusBadRequest, "bad image filter", name+": "+err.Error())
		}
	}
	var out bytes.Buffer
	f, typ := imaging.JPEG, "image/jpeg"
	if format == "png" {
		f, typ = imaging.PNG, "image/png"
	}
	if err := imaging.Encode(&out, img, f); err != nil {
		return nil, "", err
	}
	return out.Bytes(), typ, nil
}

func (h *handler) processImage(w http.ResponseWriter, r *http.Request, st *blob.Store, p string, e entry) error {
	rc, _, err := st.Open(r.Context(), p)
	if err != nil {
		return storeError(err)
	}
	defer rc.Close()
	body, typ, err := transform(rc, r.URL.Query())
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", typ)
	w.Header().Set("Cache-Control", "private, no-store")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	_, _ = w.Write(body)
	return nil
}
