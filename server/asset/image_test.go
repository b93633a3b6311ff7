package asset

import (
	"bytes"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"net/http"
	"net/url"
	"testing"

	"github.com/apiary/apiary/server/httperr"
)

// testImage encodes a w×h gradient in the format ("png", "jpeg", "gif").
func testImage(t *testing.T, format string, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for x := 0; x < w; x++ {
		for y := 0; y < h; y++ {
			img.Set(x, y, color.RGBA{uint8(x * 7), uint8(y * 5), 120, 255})
		}
	}
	var b bytes.Buffer
	var err error
	switch format {
	case "png":
		err = png.Encode(&b, img)
	case "jpeg":
		err = jpeg.Encode(&b, img, nil)
	case "gif":
		err = gif.Encode(&b, img, nil)
	}
	if err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestTransformSizes(t *testing.T) {
	src := testImage(t, "png", 40, 30)
	cases := []struct {
		query string
		w, h  int
	}{
		{"resize=20,10", 20, 10},
		{"resize=20,0,NearestNeighbor", 20, 15},
		{"resize=8,6,Cubic", 8, 6},
		{"crop=0,0,10,5", 10, 5},
		{"cropToSize=12,12,TopLeft", 12, 12},
		{"cropToSize=12,12", 12, 12},
		{"rotate90", 30, 40},
		{"rotate270", 30, 40},
		{"rotate180", 40, 30},
		{"transpose", 30, 40},
		{"transverse", 30, 40},
		{"flipHorizontal&flipVertical", 40, 30},
		// Filters apply in a fixed order: crop before resize before rotate.
		{"rotate90&resize=10,20&crop=0,0,20,20", 20, 10},
	}
	for _, c := range cases {
		q, _ := url.ParseQuery("processImage=true&" + c.query)
		out, typ, err := transform(bytes.NewReader(src), q)
		if err != nil {
			t.Errorf("%s: %v", c.query, err)
			continue
		}
		img, format, err := image.Decode(bytes.NewReader(out))
		if err != nil || format != "png" || typ != "image/png" {
			t.Errorf("%s: %v %s %s", c.query, err, format, typ)
			continue
		}
		if b := img.Bounds(); b.Dx() != c.w || b.Dy() != c.h {
			t.Errorf("%s: %dx%d, want %dx%d", c.query, b.Dx(), b.Dy(), c.w, c.h)
		}
	}
}

// TestTransformEveryFilter runs each filter once with a valid argument and
// checks the pixels changed where the filter must change them.
func TestTransformEveryFilter(t *testing.T) {
	src := testImage(t, "png", 16, 16)
	args := map[string]string{"resize": "8,8", "crop": "0,0,8,8", "cropToSize": "8,8,Center", "rotate": "45",
		"brightness": "20", "contrast": "30", "saturation": "-50", "gamma": "1.5", "gaussianBlur": "2", "gaussianblur": "2",
		"boxblur": "1", "sharpen": "", "threshold": "50", "colorBalance": "10,-10,5"}
	for name := range filters {
		q := url.Values{"processImage": {"true"}, name: {args[name]}}
		out, _, err := transform(bytes.NewReader(src), q)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if _, _, err := image.Decode(bytes.NewReader(out)); err != nil {
			t.Errorf("%s: output does not decode: %v", name, err)
		}
		if name != "sharpen" && bytes.Equal(out, src) {
			t.Errorf("%s: image unchanged", name)
		}
	}
	// grayscale makes every pixel grey.
	out, _, _ := transform(bytes.NewReader(src), url.Values{"grayscale": {""}})
	img, _ := png.Decode(bytes.NewReader(out))
	r, g, b, _ := img.At(5, 9).RGBA()
	if r != g || g != b {
		t.Errorf("grayscale pixel %d %d %d", r, g, b)
	}
	// invert twice is the identity.
	once, _, _ := transform(bytes.NewReader(src), url.Values{"invert": {""}})
	twice, _, _ := transform(bytes.NewReader(once), url.Values{"invert": {""}})
	a, _ := png.Decode(bytes.NewReader(src))
	z, _ := png.Decode(bytes.NewReader(twice))
	if ar, _, _, _ := a.At(3, 4).RGBA(); func() uint32 { zr, _, _, _ := z.At(3, 4).RGBA(); return zr }() != ar {
		t.Error("invert twice changed the image")
	}
}

func TestTransformFormats(t *testing.T) {
	cases := []struct{ format, typ string }{{"png", "image/png"}, {"jpeg", "image/jpeg"}, {"gif", "image/jpeg"}}
	for _, c := range cases {
		out, typ, err := transform(bytes.NewReader(testImage(t, c.format, 10, 10)), url.Values{"resize": {"5,5"}})
		if err != nil || typ != c.typ {
			t.Errorf("%s: %s %v", c.format, typ, err)
			continue
		}
		if _, format, err := image.Decode(bytes.NewReader(out)); err != nil || "image/"+format != c.typ {
			t.Errorf("%s: encoded as %s (%v)", c.format, format, err)
		}
	}
}

func TestTransformBadInput(t *testing.T) {
	src := testImage(t, "png", 10, 10)
	// A PNG header declaring a canvas over the pixel limit.
	huge := testImage(t, "png", 1, 1)
	huge[16], huge[17], huge[18], huge[19] = 0, 0x01, 0, 0 // width 65536
	huge[20], huge[21], huge[22], huge[23] = 0, 0x01, 0, 0 // height 65536
	cases := []struct {
		name  string
		data  []byte
		query string
	}{
		{"not an image", []byte("hello, world"), "resize=1,1"},
		{"huge canvas", huge, "resize=1,1"},
		{"unknown filter", src, "explode=1"},
		{"resize one number", src, "resize=10"},
		{"resize not a number", src, "resize=a,b"},
		{"resize method", src, "resize=5,5,Magic"},
		{"crop three numbers", src, "crop=1,2,3"},
		{"anchor", src, "cropToSize=5,5,Middle"},
		{"rotate word", src, "rotate=left"},
		{"brightness word", src, "brightness=much"},
		{"colorBalance two", src, "colorBalance=1,2"},
	}
	for _, c := range cases {
		q, _ := url.ParseQuery(c.query)
		if _, _, err := transform(bytes.NewReader(c.data), q); httperr.Status(err) != http.StatusBadRequest {
			t.Errorf("%s: %v (status %d), want 400", c.name, err, httperr.Status(err))
		}
	}
}

func TestNumsAndWord(t *testing.T) {
	cases := []struct {
		in   string
		n    int
		nums []float64
		word string
		bad  bool
	}{
		{"1,2", 2, []float64{1, 2}, "", false},
		{"1, 2 , Lanczos", 2, []float64{1, 2}, "Lanczos", false},
		{"-1.5", 1, []float64{-1.5}, "", false},
		{"1", 2, nil, "", true},
		{"1,2,3,4", 2, nil, "", true},
		{"x,2", 2, nil, "", true},
	}
	for _, c := range cases {
		nums, word, err := numsAndWord(c.in, c.n)
		if (err != nil) != c.bad || word != c.word || len(nums) != len(c.nums) {
			t.Errorf("numsAndWord(%q, %d) = %v %q %v", c.in, c.n, nums, word, err)
			continue
		}
		for i := range nums {
			if nums[i] != c.nums[i] {
				t.Errorf("numsAndWord(%q)[%d] = %v", c.in, i, nums[i])
			}
		}
	}
}
